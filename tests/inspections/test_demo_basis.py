"""`flask demo seed` (what `make run` shows): the current period uses the standard with the
honest legal basis, and the inspector's review flags typed on-time shares that the
imported dossier statistics contradict."""

from __future__ import annotations

import sqlalchemy as sa

from portal.assessments.models import Answer, Assessment
from portal.demo.services import current_period
from portal.extensions import db
from portal.rankings import sources
from portal.settings import services as settings

from .test_demo import DEMO


def test_demo_shows_the_basis_warning_and_flags_contradicted_outcomes(demo_data, client):
    # demo_data: a copy of the database `flask demo seed --province 25` filled.
    period = current_period()
    version = period.standard_version
    assert version.version == "2026.3"
    assert {c.code for c in version.unverified_gates} == {"BM01", "CS02", "TD03"}
    cited = [c for c in version.criteria if c.code in ("CS07", "BM01", "BM03")]
    assert {c.basis_confidence for c in cited} == {"unverified"}

    qt10 = next(c for c in version.criteria if c.code == "QT10")
    tolerance = settings.get("dossier_gap_points")
    flagged = within = None
    for answer in db.session.scalars(
        sa.select(Answer)
        .join(Assessment)
        .where(Answer.criterion_id == qt10.id, Assessment.submitted_at.is_not(None))
        .order_by(Answer.id)
    ):
        check = sources.outcome_check(qt10, answer.assessment.center, period, answer.number)
        if check.difference is None:
            continue
        if abs(check.difference) > tolerance and flagged is None:
            flagged = answer.assessment
        if abs(check.difference) <= tolerance and within is None:
            within = answer.assessment
    assert flagged is not None and within is not None

    client.post("/account/login", data={"username": "thanhtra", "password": DEMO["thanhtra"]})
    page = client.get(f"/inspections/assessments/{flagged.id}").get_data(as_text=True)
    assert 'id="unverified-gates"' in page
    assert 'data-flagged="1"' in page.split('id="outcome-QT10"')[1].split("</p>")[0]
    page = client.get(f"/inspections/assessments/{within.id}").get_data(as_text=True)
    assert 'data-flagged="1"' not in page.split('id="outcome-QT10"')[1].split("</p>")[0]
