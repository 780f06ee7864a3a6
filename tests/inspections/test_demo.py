"""`flask demo seed` gives an inspected period; every inspection page renders with it, for
every role."""

from __future__ import annotations

import sqlalchemy as sa

from portal.audit import services as audit
from portal.demo.services import current_period
from portal.extensions import db
from portal.inspections.models import (
    Appeal,
    CorrectiveAction,
    Inspection,
    InspectionStatus,
    Visit,
)

DEMO = {
    "admin": "PhuTho-admin-2026",
    "thanhtra": "PhuTho-thanhtra-2026",
    "quanly": "PhuTho-quanly-2026",
    "canbo": "PhuTho-canbo-2026",
}


def _by_status():
    rows = db.session.execute(
        sa.select(Inspection.status, sa.func.count()).group_by(Inspection.status)
    ).all()
    return dict(rows)


def test_demo_seed_inspects_the_period_and_every_page_renders(demo_data, runner, client):
    # demo_data: a copy of a database `flask demo seed --province 25` filled (and checked).
    statuses = _by_status()
    assert statuses[InspectionStatus.FINALIZED] > 149 // 2
    for status in ("returned", "resubmitted", "under_appeal", "under_review"):
        assert statuses[status] >= 1, status
    finalized = db.session.scalars(
        sa.select(Inspection).where(Inspection.status == InspectionStatus.FINALIZED)
    ).all()
    assert any(i.gap and i.gap > 0 for i in finalized)  # adjusted downward
    assert any(i.gap and i.gap < 0 for i in finalized)  # adjusted upward
    assert any(i.standardized for i in finalized) and not all(i.standardized for i in finalized)
    assert db.session.scalar(sa.select(sa.func.count(Visit.id))) > 0
    assert db.session.scalar(sa.select(sa.func.count(CorrectiveAction.id))) > 0
    assert audit.verify_chain().ok

    # Idempotent: a second run changes nothing.
    before = db.session.scalar(sa.select(sa.func.count(Inspection.id)))
    assert runner.invoke(args=["demo", "seed", "--province", "25"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Inspection.id))) == before

    one_per_status = {}
    for i in db.session.scalars(sa.select(Inspection).order_by(Inspection.id)):
        one_per_status.setdefault(i.status, i)
    visit = db.session.scalars(sa.select(Visit)).first()
    appeal = db.session.scalars(sa.select(Appeal)).first()
    inspector_pages = [
        "/inspections/",
        "/inspections/?status=finalized&sort=verified",
        "/inspections/?q=viet+tri&level=commune&standardized=no&sort=name",
        "/inspections/?page=2",
        f"/inspections/appeals/{appeal.id}",
        f"/inspections/{visit.inspection_id}/visits/new",
        f"/inspections/visits/{visit.id}/report.pdf",
    ] + [f"/inspections/assessments/{i.assessment_id}" for i in one_per_status.values()]
    for user in ("admin", "thanhtra"):
        client.post("/account/login", data={"username": user, "password": DEMO[user]})
        for url in inspector_pages:
            response = client.get(url)
            assert response.status_code == 200, (user, url)
        client.post("/account/logout")

    client.post("/account/login", data={"username": "quanly", "password": DEMO["quanly"]})
    current = current_period()
    mine = db.session.scalars(
        sa.select(Inspection)
        .join(Inspection.assessment)
        .where(
            sa.text(
                "assessments.center_id = (select center_id from users where username='quanly')"
            ),
            Inspection.assessment.has(period_id=current.id),  # earlier quarters are finalized
        )
    ).one()
    assert mine.status == InspectionStatus.RETURNED
    page = client.get(f"/inspections/assessments/{mine.assessment_id}").get_data(as_text=True)
    assert "Gửi nội dung đã sửa cho đoàn kiểm tra" in page
    assert client.get(f"/assessments/{mine.assessment_id}").status_code == 200
    assert client.get(f"/inspections/{mine.id}/appeal").status_code == 200
    assert client.get("/inspections/").status_code == 403
    client.post("/account/logout")

    client.post("/account/login", data={"username": "canbo", "password": DEMO["canbo"]})
    assert client.get("/inspections/").status_code == 403
    assert client.get(f"/inspections/assessments/{mine.assessment_id}").status_code == 403
