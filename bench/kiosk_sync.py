"""The offline kiosk's sync: 1,000 queued ratings sent in batches, against 1,000 online POSTs.

In one process and one run, on a fresh database (SQLite WAL with ``synchronous=FULL`` by
default, PostgreSQL with ``--pg``): a tablet's 1,000 signed ratings (signed beforehand:
signing is the tablet's work) are sent to ``POST /kiosk/sync`` in batches of ``--batch``,
then the same queue is replayed (every item a duplicate); the same number of ratings are
then posted one by one to the online form ``POST /r/<token>`` (each with a nonce its GET
issued before the clock starts), as a citizen's phone or the online kiosk does. Requests
go through Flask's test client, sequentially: the figures are the server's own cost per
rating, without network or a load generator.

    .venv/bin/python bench/kiosk_sync.py [--n 1000] [--batch 50] [--pg URL] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import create_app  # noqa: E402
from portal.accounts.models import Role, User  # noqa: E402
from portal.centers.models import Center, Counter  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.kiosk import services as kiosk  # noqa: E402
from portal.kiosk.models import KioskDevice  # noqa: E402
from portal.ratings import services as ratings  # noqa: E402
from portal.ratings.models import Rating  # noqa: E402

NONCE_RE = re.compile(r'name="nonce" value="([^"]+)"')


def make_app(url: str):
    os.environ["PORTAL_ENV"] = "testing"
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLITE_SYNCHRONOUS": "FULL",
            "RATELIMIT_ENABLED": False,
            "RATING_OPENING_HOURS": (0.0, 24.0),
            "RATING_CLOSED_WEEKDAYS": (),
            "RATING_MIN_FILL_SECONDS": 0,
            "KIOSK_BATCH_MAX": 100,
            "KIOSK_VOLUME_FLOOR": 100_000,
        }
    )


def seed(app, counters: int):
    with app.app_context():
        db.drop_all()
        db.create_all()
        center = Center(
            code="07900",
            name="Trung tâm Phục vụ hành chính công phường Việt Trì",
            level="commune",
            unit_code=7900,
            unit_name="Phường Việt Trì",
            unit_type="phường",
            province_code=25,
            province_name="Phú Thọ",
        )
        center.refresh_search_key()
        db.session.add(center)
        for i in range(counters):
            db.session.add(Counter(center=center, number=i + 1, field=f"Lĩnh vực {i + 1}"))
        manager = User(username="manager", full_name="Quản lý", role=Role.MANAGER, center=center)
        manager.set_password(secrets.token_urlsafe(12))
        db.session.add(manager)
        db.session.commit()
        with app.test_request_context():
            first = center.counters[0]
            _e, token = kiosk.issue_enrolment(first, actor=manager)
            device, key = kiosk.redeem_enrolment(token)
            device.enrolled_at = device.enrolled_at.replace(year=device.enrolled_at.year - 1)
            db.session.commit()
            urls = [f"/r/{ratings.counter_token(c)}" for c in center.counters]
        return device.id, key, urls


def queue(device_id: int, key: bytes, n: int) -> list[dict]:
    """``n`` ratings a tablet took over the last hours, 12 s apart (a person's pace)."""
    end = int(time.time() * 1000) - 60_000
    items = []
    for i in range(n):
        item = {
            "id": secrets.token_hex(16),
            "t": end - (n - 1 - i) * 12_000,
            "score": 1 + i % 5,
            "comment": "Cán bộ nhiệt tình" if i % 10 == 0 else "",
        }
        item["sig"] = kiosk.sign(
            key,
            kiosk.item_message(device_id, item["id"], item["t"], item["score"], item["comment"]),
        )
        items.append(item)
    return items


def send(client, device_id: int, key: bytes, items: list[dict], batch: int) -> tuple[float, list]:
    times = []
    answers: list = []
    start = time.perf_counter()
    for i in range(0, len(items), batch):
        chunk = items[i : i + batch]
        sent = int(time.time() * 1000)
        pending = len(items) - i
        body = {
            "device": device_id,
            "sent": sent,
            "pending": pending,
            "sig": kiosk.sign(key, kiosk.batch_message(device_id, sent, pending)),
            "items": chunk,
        }
        t0 = time.perf_counter()
        response = client.post("/kiosk/sync", json=body)
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        answers += response.get_json()["items"]
    return time.perf_counter() - start, times


def online(client, urls: list[str], n: int) -> float:
    forms = []
    for i in range(n):
        url = urls[i % len(urls)]
        forms.append((url, NONCE_RE.search(client.get(url).get_data(as_text=True)).group(1)))
    start = time.perf_counter()
    for i, (url, nonce) in enumerate(forms):
        response = client.post(url, data={"nonce": nonce, "score": str(1 + i % 5)})
        assert response.status_code == 303, response.status_code
    return time.perf_counter() - start


def run(url: str, n: int, batch: int, counters: int) -> dict:
    app = make_app(url)
    device_id, key, urls = seed(app, counters)
    items = queue(device_id, key, n)
    client = app.test_client()
    sync_s, per_request = send(client, device_id, key, items, batch)
    replay_s, _ = send(client, device_id, key, items, batch)
    online_s = online(client, urls, n)
    with app.app_context():
        kiosk_rows = db.session.query(Rating).filter(Rating.channel == "kiosk_offline").count()
        held = (
            db.session.query(Rating)
            .filter(Rating.channel == "kiosk_offline", Rating.flags != "")
            .count()
        )
        received = db.session.get(KioskDevice, device_id).received
        db.engine.dispose()
    assert kiosk_rows == received == n, (kiosk_rows, received)
    return {
        "database": app.config["SQLALCHEMY_DATABASE_URI"].split(":")[0],
        "n": n,
        "batch": batch,
        "sync_s": round(sync_s, 3),
        "sync_ms_per_rating": round(1000 * sync_s / n, 3),
        "sync_median_request_ms": round(1000 * statistics.median(per_request), 1),
        "replay_s": round(replay_s, 3),
        "online_s": round(online_s, 3),
        "online_ms_per_rating": round(1000 * online_s / n, 3),
        "sync_over_online": round(sync_s / online_s, 3),
        "held": held,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--counters", type=int, default=50)
    parser.add_argument("--pg", help="a PostgreSQL URL (its tables are dropped and recreated)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(
            run(f"sqlite:///{tmp}/kiosk-bench.sqlite3", args.n, args.batch, args.counters)
        )
    if args.pg:
        results.append(run(args.pg, args.n, args.batch, args.counters))
    for r in results:
        print(json.dumps(r))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
