"""Every route of the inspections blueprint × every role, with the effect checked.

``test_every_route_has_a_row`` fails when a route is added without a row here.
"""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.inspections import services
from portal.inspections.models import (
    Appeal,
    CorrectiveAction,
    Inspection,
    InspectionStatus,
    ReviewItem,
    Visit,
)
from portal.shared.timeutils import today_local

from .conftest import accept_rest, criterion

ROLES = ("admin", "inspector", "inspector_other", "manager", "manager_other", "officer", None)


@pytest.fixture
def stage(submitted, users, standard_version):
    """Bring the Phường Việt Trì assessment to a stage of the cycle; return the ids to use."""
    inspector, manager = users["inspector"], users["manager"]
    nl02 = criterion(standard_version, "NL02")

    def make(name: str) -> dict:
        ids = {"assessment": submitted.id, "criterion": nl02.id}
        if name == "submitted":
            return ids
        inspection = services.start_review(submitted, actor=inspector)
        ids["inspection"] = inspection.id
        if name in ("returned",):
            services.record_verdict(
                inspection,
                nl02,
                services.VerdictInput("correct", reason="Bổ sung"),
                actor=inspector,
            )
            services.return_for_correction(inspection, actor=inspector)
        if name == "correct_asked":
            services.record_verdict(
                inspection,
                nl02,
                services.VerdictInput("correct", reason="Bổ sung"),
                actor=inspector,
            )
        if name in ("accepted", "finalized", "appealed", "action_open", "action_closed"):
            accept_rest(inspection, inspector)
        if name in ("finalized", "appealed"):
            services.finalize(inspection, actor=inspector)
        if name == "appealed":
            ids["appeal"] = services.file_appeal(
                inspection, {nl02.id: "Không đồng ý"}, actor=manager
            ).id
        if name in ("action_open", "action_closed"):
            action = services.create_action(
                inspection,
                nl02,
                description="Bồi dưỡng",
                owner="Giám đốc",
                due_on=today_local(),
                actor=inspector,
            )
            ids["action"] = action.id
            if name == "action_closed":
                services.close_action(action, note="Đã làm", evidence=None, actor=manager)
        if name == "visit":
            ids["visit"] = services.record_visit(
                inspection,
                visited_on=today_local() - dt.timedelta(days=1),
                team="Nguyễn Văn A, trưởng đoàn",
                summary="Đủ quầy",
                findings={nl02.id: "Có 2 công chức mới"},
                actor=inspector,
            ).id
        db.session.commit()
        return ids

    return make


def _status(ids) -> str | None:
    db.session.expire_all()
    inspection = db.session.get(Inspection, ids.get("inspection") or 0)
    return inspection.status if inspection else None


def _verdict(ids):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ReviewItem.verdict).where(
            ReviewItem.inspection_id == ids["inspection"],
            ReviewItem.criterion_id == ids["criterion"],
        )
    )


# endpoint: (method, stage, url, form, statuses by role, effect(ids) -> bool)
CASES = {
    ("inspections.index", "GET"): (
        "reviewing",
        "/inspections/",
        None,
        (200, 200, 200, 403, 403, 403, 302),
        None,
    ),
    ("inspections.review", "GET"): (
        "reviewing",
        "/inspections/assessments/{assessment}",
        None,
        (200, 200, 404, 200, 404, 403, 302),
        None,
    ),
    ("inspections.start", "POST"): (
        "submitted",
        "/inspections/assessments/{assessment}/start",
        {},
        (302, 302, 404, 403, 403, 403, 302),
        lambda ids: db.session.scalar(sa.select(sa.func.count(Inspection.id))) == 1,
    ),
    ("inspections.verdict", "POST"): (
        "reviewing",
        "/inspections/{inspection}/criteria/{criterion}/verdict",
        {"verdict": "accept"},
        (302, 302, 404, 403, 403, 403, 302),
        lambda ids: _verdict(ids) == "accept",
    ),
    ("inspections.accept_rest", "POST"): (
        "reviewing",
        "/inspections/{inspection}/accept-rest",
        {"confirm": "1"},
        (302, 302, 404, 403, 403, 403, 302),
        lambda ids: _verdict(ids) == "accept",
    ),
    ("inspections.return_", "POST"): (
        "correct_asked",
        "/inspections/{inspection}/return",
        {"confirm": "1"},
        (302, 302, 404, 403, 403, 403, 302),
        lambda ids: _status(ids) == InspectionStatus.RETURNED,
    ),
    ("inspections.finalize", "POST"): (
        "accepted",
        "/inspections/{inspection}/finalize",
        {"confirm": "1"},
        (302, 302, 404, 403, 403, 403, 302),
        lambda ids: _status(ids) == InspectionStatus.FINALIZED,
    ),
    ("inspections.fix", "POST"): (
        "returned",
        "/inspections/{inspection}/criteria/{criterion}/fix",
        {"choice": "partial"},
        (403, 403, 403, 302, 404, 403, 302),
        lambda ids: db.session.scalar(
            sa.select(ReviewItem.changed).where(ReviewItem.criterion_id == ids["criterion"])
        ),
    ),
    ("inspections.resubmit", "POST"): (
        "returned",
        "/inspections/{inspection}/resubmit",
        {"confirm": "1"},
        (403, 403, 403, 302, 404, 403, 302),
        lambda ids: _status(ids) == InspectionStatus.RESUBMITTED,
    ),
    ("inspections.appeal", "GET"): (
        "finalized",
        "/inspections/{inspection}/appeal",
        None,
        (403, 403, 403, 200, 404, 403, 302),
        None,
    ),
    ("inspections.appeal", "POST"): (
        "finalized",
        "/inspections/{inspection}/appeal",
        {"reason-{criterion}": "Không đồng ý"},
        (403, 403, 403, 302, 404, 403, 302),
        lambda ids: _status(ids) == InspectionStatus.UNDER_APPEAL,
    ),
    ("inspections.decide", "GET"): (
        "appealed",
        "/inspections/appeals/{appeal}",
        None,
        (200, 200, 404, 403, 403, 403, 302),
        None,
    ),
    # The inspector who finalized is refused (the form comes back); an admin decides.
    ("inspections.decide", "POST"): (
        "appealed",
        "/inspections/appeals/{appeal}",
        {"decision-{criterion}": "rejected", "note-{criterion}": "Giữ nguyên"},
        (302, 200, 404, 403, 403, 403, 302),
        lambda ids: _status(ids) == InspectionStatus.FINALIZED,
    ),
    ("inspections.visit_new", "GET"): (
        "reviewing",
        "/inspections/{inspection}/visits/new",
        None,
        (200, 200, 404, 403, 403, 403, 302),
        None,
    ),
    ("inspections.visit_new", "POST"): (
        "reviewing",
        "/inspections/{inspection}/visits/new",
        {"visited_on": today_local().isoformat(), "team": "Đoàn kiểm tra"},
        (302, 302, 404, 403, 403, 403, 302),
        lambda ids: db.session.scalar(sa.select(sa.func.count(Visit.id))) == 1,
    ),
    ("inspections.visit_report", "GET"): (
        "visit",
        "/inspections/visits/{visit}/report.pdf",
        None,
        (200, 200, 404, 200, 404, 403, 302),
        None,
    ),
    ("inspections.action_new", "POST"): (
        "finalized",
        "/inspections/{inspection}/actions",
        {
            "criterion_id": "{criterion}",
            "description": "Sửa quầy",
            "owner": "Giám đốc",
            "due_on": today_local().isoformat(),
        },
        (302, 302, 404, 403, 403, 403, 302),
        lambda ids: db.session.scalar(sa.select(sa.func.count(CorrectiveAction.id))) == 1,
    ),
    ("inspections.action_close", "POST"): (
        "action_open",
        "/inspections/actions/{action}/close",
        {"note": "Đã sửa"},
        (403, 403, 403, 302, 404, 403, 302),
        lambda ids: db.session.scalar(sa.select(CorrectiveAction.status)) == "closed",
    ),
    ("inspections.action_confirm", "POST"): (
        "action_closed",
        "/inspections/actions/{action}/confirm",
        {"accept": "1"},
        (302, 302, 404, 403, 403, 403, 302),
        lambda ids: db.session.scalar(sa.select(CorrectiveAction.status)) == "confirmed",
    ),
}

PARAMS = [
    pytest.param(key, who, expected, id=f"{key[0]}-{key[1]}-{who}")
    for key, case in CASES.items()
    for who, expected in zip(ROLES, case[3], strict=True)
]


@pytest.mark.parametrize(("key", "who", "expected"), PARAMS)
def test_route_by_role(client, auth, users, stage, key, who, expected):
    stage_name, url, form, _codes, effect = CASES[key]
    ids = stage(stage_name)
    if who:
        auth.login(users[who])
    url = url.format(**ids)
    if key[1] == "GET":
        with client.get(url) as response:
            assert response.status_code == expected
        return
    data = {k.format(**ids): v.format(**ids) for k, v in form.items()}
    response = client.post(url, data=data)
    assert response.status_code == expected
    if effect is not None:
        succeeded = expected == 302 and who in (
            ("manager",)
            if key[0] in ("inspections.fix", "inspections.resubmit", "inspections.appeal")
            or key[0] == "inspections.action_close"
            else ("admin", "inspector")
            if key[0] != "inspections.decide"
            else ("admin",)
        )
        assert bool(effect(ids)) == succeeded, "the effect must happen only when allowed"


def test_every_route_has_a_row(app):
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("inspections.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - set(CASES) == set(), "add these routes to CASES"


def test_reviewing_stage_exists(stage):
    ids = stage("reviewing")
    assert db.session.get(Inspection, ids["inspection"]) is not None
    assert db.session.scalar(sa.select(sa.func.count(Appeal.id))) == 0
