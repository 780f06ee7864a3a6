"""Every route of the exports blueprint × every role, with the effect of each POST checked.

Admins, inspectors and managers export within their scope; officers and visitors never.
``test_every_route_has_a_row`` fails when a route is added without a row here.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.assessments.models import Assessment
from portal.audit.models import AuditEntry
from portal.exports.models import ExportJob
from portal.extensions import db
from portal.inspections.models import Inspection

ROLES = ("admin", "inspector", "inspector_other", "manager", "manager_other", "officer", None)
STAFF_GET = (200, 200, 200, 200, 200, 403, 302)
OWN_CENTER = {"kind": "complaints", "fmt": "csv", "period": "2026-Q1", "center": "07900"}


def _exported() -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "export.created")
        )
    )


def _job(users) -> ExportJob:
    job = ExportJob(
        requested_by_id=users["inspector"].id,
        kind="rankings",
        fmt="csv",
        params={"period": "2026-Q1", "center": None},
        status="failed",
        failure="no_data",
    )
    db.session.add(job)
    db.session.commit()
    return job


def _another_job() -> bool:
    return db.session.scalar(sa.select(sa.func.count(ExportJob.id))) > 1


def _inspection_of(center) -> Inspection:
    return db.session.scalar(
        sa.select(Inspection).join(Assessment).where(Assessment.center_id == center.id)
    )


# (endpoint, method): (url, form, statuses by role, effect)
CASES = {
    ("exports.index", "GET"): ("/exports/", None, STAFF_GET, None),
    # Only the job's owner (the inspector) or an admin.
    ("exports.job", "GET"): (
        "/exports/jobs/{job}",
        None,
        (200, 200, 403, 403, 403, 403, 302),
        None,
    ),
    ("exports.download", "GET"): (
        "/exports/jobs/{job}/file",
        None,
        (404, 404, 403, 403, 403, 403, 302),  # a failed job has no file
        None,
    ),
    # The center 07900: its manager and inspectors in scope; never another center's manager.
    # One inspection of 07900: who may see the inspection; a center out of scope is not found.
    ("exports.inspection_report", "GET"): (
        "/exports/inspections/{inspection}/report.pdf",
        None,
        (200, 200, 404, 200, 404, 403, 302),
        None,
    ),
    # Only its owner, and only a job that may succeed on another run ("no_data" may not).
    ("exports.retry", "POST"): (
        "/exports/jobs/{job}/retry",
        {},
        (403, 409, 403, 403, 403, 403, 302),
        _another_job,
    ),
    ("exports.start", "POST"): (
        "/exports/start",
        OWN_CENTER,
        (200, 200, 403, 200, 403, 403, 302),
        _exported,
    ),
}


@pytest.mark.parametrize(
    ("key", "who", "expected"),
    [
        (key, who, codes[i])
        for key, (_u, _f, codes, _e) in CASES.items()
        for i, who in enumerate(ROLES)
    ],
)
def test_route_by_role(client, auth, users, scored, key, who, expected):
    url, form, _codes, effect = CASES[key]
    url = url.format(job=_job(users).id, inspection=_inspection_of(scored["A"]).id)
    if who:
        auth.login(users[who])
    if key[1] == "GET":
        response = client.get(url)
        response.close()
        assert response.status_code == expected
        return
    response = client.post(url, data=form)
    response.close()
    assert response.status_code == expected
    assert effect() == (expected == 200), "the effect only when allowed"


def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("exports.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - set(CASES) == set(), "add these routes to CASES"
