"""Issue 22, finding 4: on PostgreSQL two simultaneous appeals by one manager gave two open
appeals, and two inspectors finalizing one inspection were both told "finalized" (two audit
entries). Exactly one of two racing requests wins; the other gets a clear message.

Each race runs two real requests in two threads, each on its own connection. The service
is held at a barrier just after its checks: without a lock both requests pass the checks
before either writes. With the row lock the second request waits at the lock instead, the
barrier times out and the first request goes on alone. On SQLite the write lock already
serialises the two requests; the tests run there too.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
import sqlalchemy as sa

from portal.assessments import services as checklist
from portal.assessments.models import Assessment, AssessmentStatus
from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.inspections import appeals, results
from portal.inspections import services as inspections
from portal.inspections.models import Appeal, CorrectiveAction, Inspection
from tests.conftest import PASSWORD, IsolatedClient

from .conftest import accept_rest, full_marks

BARRIER_SECONDS = 3


@pytest.fixture
def app_config(app_config):
    # Long enough for the loser to wait out the winner's barrier on SQLite too.
    return {**app_config, "SQLITE_BUSY_TIMEOUT_MS": 15_000}


def _client(app, user):
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    assert (
        client.post(
            "/account/login", data={"username": user.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    return client


def race(app, monkeypatch, module, name, requests):
    """Run ``requests`` (callables) at once, each held at ``module.name`` until both got
    there (or the barrier times out because one is waiting at a lock). Returns responses."""
    barrier = threading.Barrier(len(requests), timeout=BARRIER_SECONDS)
    original = getattr(module, name)

    def held(*args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, held)
    out: list = [None] * len(requests)

    def run(i):
        with app.app_context():
            out[i] = requests[i]()

    db.session.commit()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    monkeypatch.setattr(module, name, original)
    db.session.expire_all()
    return out


def _audit_count(action: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def _flashes(client) -> str:
    return client.get("/").get_data(as_text=True)


@pytest.fixture
def ready(reviewing, users):
    accept_rest(reviewing, users["inspector"])
    db.session.commit()
    return reviewing


@pytest.fixture
def finalized(ready, users):
    inspections.finalize(ready, actor=users["inspector"])
    db.session.commit()
    return ready


def test_two_inspectors_finalizing_at_once_finalize_once(
    app, monkeypatch, ready, users, second_inspector
):
    clients = [_client(app, users["inspector"]), _client(app, second_inspector)]
    url = f"/inspections/{ready.id}/finalize"
    responses = race(
        app,
        monkeypatch,
        results,
        "compute_result",
        [lambda c=c: c.post(url, data={"confirm": "1"}) for c in clients],
    )
    assert [r.status_code for r in responses] == [302, 302]
    assert _audit_count("inspection.finalize") == 1
    pages = [
        c.get(r.headers["Location"]).get_data(as_text=True)
        for c, r in zip(clients, responses, strict=False)
    ]
    told_finalized = [p for p in pages if "Đã kết luận kết quả." in p]
    told_already = [p for p in pages if "đã được kết luận" in p]
    assert len(told_finalized) == 1 and len(told_already) == 1


def test_two_appeals_filed_at_once_give_one_open_appeal(app, monkeypatch, finalized, users):
    criterion_id = finalized.items[0].criterion_id
    clients = [_client(app, users["manager"]), _client(app, users["manager"])]
    url = f"/inspections/{finalized.id}/appeal"
    data = {f"reason-{criterion_id}": "Chúng tôi có biên bản chứng minh."}
    responses = race(
        app,
        monkeypatch,
        appeals,
        "clean_text",
        [lambda c=c: c.post(url, data=data) for c in clients],
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Appeal)) == 1
    assert _audit_count("inspection.appeal") == 1
    assert sorted(r.status_code for r in responses) == [200, 302]
    loser = next(r for r in responses if r.status_code == 200).get_data(as_text=True)
    assert "đã được kiến nghị" in loser


def test_the_database_refuses_a_second_open_appeal(app, finalized, users):
    """The partial unique index holds whatever the code does."""
    db.session.add(Appeal(inspection_id=finalized.id, filed_by_id=users["manager"].id))
    db.session.commit()
    db.session.add(Appeal(inspection_id=finalized.id, filed_by_id=users["manager"].id))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    # A decided appeal does not count: another one may be open beside it.
    first = db.session.scalar(sa.select(Appeal))
    first.status = "decided"
    db.session.commit()
    db.session.add(Appeal(inspection_id=finalized.id, filed_by_id=users["manager"].id))
    db.session.commit()


def test_two_returns_at_once_return_once(app, monkeypatch, reviewing, users, second_inspector):
    from portal.inspections import review

    item = reviewing.items[0]
    inspections.record_verdict(
        reviewing,
        item.criterion,
        inspections.VerdictInput("correct", reason="Bổ sung ảnh."),
        actor=users["inspector"],
    )
    db.session.commit()
    clients = [_client(app, users["inspector"]), _client(app, second_inspector)]
    url = f"/inspections/{reviewing.id}/return"
    race(
        app,
        monkeypatch,
        review,
        "now_utc",
        [lambda c=c: c.post(url, data={"confirm": "1"}) for c in clients],
    )
    assert _audit_count("inspection.return") == 1
    assert db.session.get(Inspection, reviewing.id).status == "returned"


def test_two_submissions_at_once_submit_once(app, monkeypatch, assessment, users, standard_version):
    assert (
        checklist.save_answers(assessment, full_marks(standard_version), actor=users["manager"])
        == {}
    )
    db.session.commit()
    revision = assessment.revision
    clients = [_client(app, users["manager"]), _client(app, users["manager"])]
    url = f"/assessments/{assessment.id}"
    race(
        app,
        monkeypatch,
        checklist,
        "missing_answers",
        [lambda c=c: c.post(url, data={"action": "submit", "confirm": "1"}) for c in clients],
    )
    assert _audit_count("assessment.submit") == 1
    a = db.session.get(Assessment, assessment.id)
    assert a.status == AssessmentStatus.SUBMITTED and a.revision == revision + 1


def test_two_confirmations_of_one_action_confirm_once(
    app, monkeypatch, finalized, users, second_inspector
):
    from portal.inspections import actions

    item = finalized.items[0]
    action = inspections.create_action(
        finalized,
        item.criterion,
        description="Sửa biển chỉ dẫn",
        owner="Tổ một cửa",
        due_on=checklist.today_local(),
        actor=users["inspector"],
    )
    db.session.flush()
    inspections.close_action(action, note="Đã sửa", evidence=None, actor=users["manager"])
    db.session.commit()
    clients = [_client(app, users["inspector"]), _client(app, second_inspector)]
    url = f"/inspections/actions/{action.id}/confirm"
    race(
        app,
        monkeypatch,
        actions,
        "now_utc",
        [lambda c=c: c.post(url, data={"accept": "1"}) for c in clients],
    )
    assert _audit_count("inspection.action_confirm") == 1
    assert db.session.get(CorrectiveAction, action.id).status == "confirmed"
