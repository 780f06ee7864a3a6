"""The batch endpoint (``POST /kiosk/sync``): each signature verified, each rating stored
once, an answer per item, implausible ratings held. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.kiosk.models import KioskDevice, KioskItem
from portal.ratings import services as ratings
from portal.ratings.models import Channel, Rating
from portal.shared.timeutils import local_day, now_utc

from .conftest import enrol_tablet, now_ms


def post(client, body):
    return client.post("/kiosk/sync", json=body)


def stored(counter=None) -> int:
    db.session.expire_all()
    query = sa.select(sa.func.count()).select_from(Rating)
    if counter is not None:
        query = query.where(Rating.counter_id == counter.id)
    return db.session.scalar(query)


def counted(counter) -> int:
    """Ratings of the counter in its rollups (what every figure reads)."""
    db.session.expire_all()
    today = local_day(now_utc())
    counts = ratings.rollup_counts("counter", [counter.id], today - timedelta(days=30), today)
    return sum(counts.get(counter.id, ()))


def statuses(response) -> list[str]:
    return [item["status"] for item in response.get_json()["items"]]


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_ten_ratings_are_stored_once_counted_and_keep_their_channel(client, tablet, counter):
    items = tablet.spaced(10, gap_s=30)
    response = post(client, tablet.batch(items, pending=10))
    assert response.status_code == 200
    assert statuses(response) == ["stored"] * 10
    assert all(item["held"] is False for item in response.get_json()["items"])
    assert stored(counter) == 10
    assert counted(counter) == 10
    channels = set(db.session.scalars(sa.select(Rating.channel)))
    assert channels == {Channel.KIOSK_OFFLINE.value}
    # Dated at the tablet's tap, not on arrival.
    first = db.session.scalar(sa.select(sa.func.min(Rating.created_at)))
    assert now_utc() - first > timedelta(minutes=4)
    device = db.session.get(KioskDevice, tablet.device_id)
    assert (device.received, device.held, device.pending) == (10, 0, 0)
    assert device.last_sync_at is not None
    assert "kiosk.synced" in audit_actions()


def test_a_replayed_batch_stores_nothing_again(client, tablet, counter):
    body = tablet.batch(tablet.spaced(10))
    assert statuses(post(client, body)) == ["stored"] * 10
    again = post(client, body)
    assert again.status_code == 200
    assert statuses(again) == ["duplicate"] * 10
    assert stored(counter) == 10
    assert counted(counter) == 10
    assert db.session.get(KioskDevice, tablet.device_id).received == 10


def test_a_sync_cut_halfway_and_resent_stores_each_once(client, tablet, counter):
    items = tablet.spaced(10)
    # The first half reached the server, but its answer was lost: the tablet resends all.
    assert statuses(post(client, tablet.batch(items[:5]))) == ["stored"] * 5
    response = post(client, tablet.batch(items))
    assert statuses(response) == ["duplicate"] * 5 + ["stored"] * 5
    assert stored(counter) == 10
    assert counted(counter) == 10


def test_the_same_rating_twice_in_one_batch_is_stored_once(client, tablet, counter):
    item = tablet.item()
    assert statuses(post(client, tablet.batch([item, item]))) == ["stored", "duplicate"]
    assert stored(counter) == 1


def test_a_restored_backup_of_the_tablet_stores_nothing_twice(client, tablet, counter):
    items = tablet.spaced(6)
    post(client, tablet.batch(items[:4]))
    # The tablet's storage restored from before that sync: all six are queued again.
    response = post(client, tablet.batch(items))
    assert statuses(response) == ["duplicate"] * 4 + ["stored"] * 2
    assert stored(counter) == 6


def test_a_tampered_rating_is_refused_and_the_rest_stored(client, tablet, counter):
    items = tablet.spaced(3)
    items[1]["score"] = 1  # changed after signing
    response = post(client, tablet.batch(items))
    assert response.get_json()["items"][1] == {
        "id": items[1]["id"],
        "status": "refused",
        "reason": "signature",
    }
    assert statuses(response) == ["stored", "refused", "stored"]
    assert stored(counter) == 2


def test_a_rating_signed_with_another_tablets_key_is_refused(client, tablet, counter, manager):
    other = enrol_tablet(counter, manager)
    forged = other.item()
    response = post(client, tablet.batch([forged]))
    assert statuses(response) == ["refused"]
    assert stored() == 0


def test_a_revoked_tablet_is_refused_and_the_refusal_audited(client, tablet, counter, manager):
    from portal.kiosk import services

    device = db.session.get(KioskDevice, tablet.device_id)
    services.revoke_device(device, actor=manager)
    db.session.commit()
    items = tablet.spaced(2)
    response = post(client, tablet.batch(items))
    assert response.status_code == 403
    body = response.get_json()
    assert body["error"] == "revoked"
    assert [i["status"] for i in body["items"]] == ["refused", "refused"]
    assert stored() == 0
    assert {"kiosk.revoked", "kiosk.sync_refused"} <= set(audit_actions())


def test_malformed_unknown_and_forged_batches_are_refused_whole(app, client, tablet):
    good = tablet.batch([tablet.item()])
    assert post(client, {**good, "device": 999999}).status_code == 404
    assert post(client, {**good, "device": 2**40}).status_code == 400
    assert post(client, {**good, "device": "1"}).status_code == 400
    assert post(client, {**good, "sig": "0" * 64}).status_code == 401
    assert post(client, {**good, "pending": -1}).status_code == 400
    assert post(client, {**good, "items": "x"}).status_code == 400
    assert client.post("/kiosk/sync", data="not json").status_code == 400
    app.config["KIOSK_BATCH_MAX"] = 2
    assert post(client, tablet.batch([tablet.item() for _ in range(3)])).status_code == 413
    assert stored() == 0


def test_malformed_items_are_refused_one_by_one(client, tablet):
    good = tablet.item()
    bad_score = {**tablet.item(), "score": 6}
    bad_id = {**tablet.item(), "id": "../../x"}
    response = post(client, tablet.batch([bad_score, bad_id, good, "junk"]))
    assert statuses(response) == ["refused", "refused", "stored", "refused"]
    assert stored() == 1


def held() -> list[str]:
    db.session.expire_all()
    return [
        flags for flags in db.session.scalars(sa.select(Rating.flags).order_by(Rating.id)) if flags
    ]


def test_implausible_times_are_held_with_their_reason(client, tablet, counter):
    now = now_ms()
    future = tablet.item(t=now + 3600_000)
    before = tablet.item(t=now - 3 * 3600_000)  # the tablet was enrolled an hour ago
    response = post(client, tablet.batch([future, before]))
    assert [i["held"] for i in response.get_json()["items"]] == [True, True]
    assert held() == ["kiosk_future", "kiosk_before_enrolment"]
    assert counted(counter) == 0  # held ratings count only once an inspector clears them
    # Dated on arrival, not at the implausible time.
    for created in db.session.scalars(sa.select(Rating.created_at)):
        assert abs(now_utc() - created) < timedelta(minutes=1)


def test_ratings_faster_than_a_person_are_held(client, tablet, counter):
    now = now_ms()
    items = [tablet.item(t=now - 20_000), tablet.item(t=now - 19_000), tablet.item(t=now)]
    post(client, tablet.batch(items))
    assert held() == ["kiosk_burst"]
    assert counted(counter) == 2


def test_a_burst_across_two_syncs_is_held_too(client, tablet, counter):
    now = now_ms()
    post(client, tablet.batch([tablet.item(t=now - 10_000)]))
    post(client, tablet.batch([tablet.item(t=now - 8_000)]))
    assert held() == ["kiosk_burst"]


def test_ratings_outside_opening_hours_are_held(app, client, tablet):
    app.config["RATING_OPENING_HOURS"] = (0.0, 0.0)
    post(client, tablet.batch([tablet.item()]))
    assert held() == ["off_hours"]


def test_a_day_far_above_the_counters_volume_is_held(app, client, tablet, counter):
    app.config["KIOSK_VOLUME_FLOOR"] = 3
    post(client, tablet.batch(tablet.spaced(5)))
    assert held() == ["kiosk_volume", "kiosk_volume"]
    assert counted(counter) == 3


def test_a_held_rating_reaches_the_inspectors_queue_with_its_reason(
    client, auth, users, tablet, center
):
    post(client, tablet.batch([tablet.item(t=now_ms() + 3600_000)]))
    auth.login(users["inspector"])
    page = client.get(f"/ratings/{center.code}").get_data(as_text=True)
    assert "Đồng hồ của máy tính bảng chạy trước máy chủ" in page


def test_the_sync_needs_no_csrf_token_and_is_rate_limited(make_app, app_config, tablet):
    strict = make_app({**app_config, "WTF_CSRF_ENABLED": True, "KIOSK_SYNC_LIMIT": "2 per minute"})
    client = strict.test_client()
    assert client.post("/kiosk/sync", json=tablet.batch([tablet.item()])).status_code == 200
    assert client.post("/kiosk/sync", json=tablet.batch([])).status_code == 200
    refused = client.post("/kiosk/sync", json=tablet.batch([tablet.item()]))
    assert refused.status_code == 429
    with strict.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(KioskItem)) == 1


def test_the_sync_is_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    sync = doc["paths"]["/sync"]
    assert sync["servers"][0]["url"] == "/kiosk"
    assert set(sync["post"]["responses"]) >= {"200", "401", "403"}
    assert "KioskItem" in doc["components"]["schemas"]


def test_two_tabs_sending_the_same_queue_at_once_store_each_rating_once(app, tablet, counter):
    import threading

    body = tablet.batch(tablet.spaced(10))
    db.session.rollback()  # the test's own session holds no write lock while tabs race
    barrier = threading.Barrier(4)
    answers: list = []
    lock = threading.Lock()

    def send():
        client = app.test_client()
        barrier.wait()
        response = client.post("/kiosk/sync", json=body)
        with lock:
            answers.append((response.status_code, statuses(response)))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in answers] == [200] * 4
    per_item = list(zip(*(s for _, s in answers), strict=True))
    assert all(sorted(item) == ["duplicate"] * 3 + ["stored"] for item in per_item)
    assert stored(counter) == 10
    assert counted(counter) == 10


def test_synced_ratings_keep_their_channel_in_the_export(client, tablet, center):
    from types import SimpleNamespace

    from portal.exports import services as exports

    post(client, tablet.batch(tablet.spaced(2)))
    today = local_day(now_utc())
    period = SimpleNamespace(code="2026-Q4", name="Quý 4", opens_on=today, closes_on=today)
    table = exports.ratings_table(period, [center])
    channels = [row[6] for row in table.rows]
    assert channels == ["Ki-ốt (ngoại tuyến)"] * 2


def test_the_staff_list_marks_a_synced_rating_as_kiosk_offline(client, auth, users, tablet, center):
    post(client, tablet.batch([tablet.item(comment="Nhanh gọn")]))
    auth.login(users["manager"])
    page = client.get(f"/ratings/{center.code}").get_data(as_text=True)
    assert "ki-ốt (ngoại tuyến)" in page
