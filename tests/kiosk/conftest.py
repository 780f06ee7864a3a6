"""Fixtures for the offline kiosk: an enrolled tablet and a client that signs like it."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import pytest

from portal.accounts.models import Role
from portal.extensions import db
from portal.kiosk import services
from portal.kiosk.models import KioskDevice
from tests.conftest import RATINGS_TEST_CONFIG


@pytest.fixture
def app_config(app_config):
    return {**app_config, **RATINGS_TEST_CONFIG, "KIOSK_MIN_GAP_SECONDS": 4.0}


@pytest.fixture
def counter(center):
    return center.counters[0]


@pytest.fixture
def manager(create_user, center):
    return create_user(Role.MANAGER, username="kiosk-manager", center=center)


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Tablet:
    """What an enrolled tablet holds: its device id and key; it signs what it queues."""

    device_id: int
    key: bytes

    def item(self, score: int = 4, *, t: int | None = None, comment: str = "", item_id=None):
        item = {
            "id": item_id or secrets.token_hex(16),
            "t": now_ms() if t is None else t,
            "score": score,
            "comment": comment,
        }
        message = services.item_message(
            self.device_id, item["id"], item["t"], item["score"], item["comment"]
        )
        item["sig"] = services.sign(self.key, message)
        return item

    def spaced(self, n: int, *, start_ms: int | None = None, gap_s: float = 30.0, score=4):
        """``n`` ratings a person could have given, ``gap_s`` apart, ending now."""
        end = now_ms() if start_ms is None else start_ms + int((n - 1) * gap_s * 1000)
        return [self.item(score, t=end - int((n - 1 - i) * gap_s * 1000)) for i in range(n)]

    def batch(self, items, *, pending: int | None = None, sent: int | None = None) -> dict:
        sent = now_ms() if sent is None else sent
        pending = len(items) if pending is None else pending
        sig = services.sign(self.key, services.batch_message(self.device_id, sent, pending))
        return {
            "device": self.device_id,
            "sent": sent,
            "pending": pending,
            "sig": sig,
            "items": items,
        }


def enrol_tablet(counter, manager) -> Tablet:
    _enrolment, token = services.issue_enrolment(counter, actor=manager)
    device, key = services.redeem_enrolment(token)
    db.session.commit()
    return Tablet(device.id, key)


@pytest.fixture
def tablet(app, counter, manager) -> Tablet:
    with app.test_request_context():
        made = enrol_tablet(counter, manager)
    # Enrolled an hour ago: the tests' ratings of the last minutes came after it.
    device = db.session.get(KioskDevice, made.device_id)
    device.enrolled_at -= timedelta(hours=1)
    db.session.commit()
    return made
