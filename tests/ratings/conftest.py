"""Fixtures for the rating flow: relaxed timing/limits by default (tests that check those
layers set them back), helpers to open the form and post it."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from werkzeug.datastructures import MultiDict

from portal.ratings import services
from portal.ratings.models import Receipt
from portal.shared.timeutils import now_utc
from tests.conftest import RATINGS_TEST_CONFIG

NONCE_RE = re.compile(r'name="nonce" value="([^"]+)"')
TRACKING_RE = re.compile(r'id="tracking-code">([A-Z0-9]+)<')


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        **RATINGS_TEST_CONFIG,
        "RATING_MIN_FILL_SECONDS": 0,
        "RATING_LIMIT_DEVICE": "1000 per hour",
        "RATING_LIMIT_NETWORK": "10000 per hour",
    }


@pytest.fixture
def counter(center):
    return center.counters[0]


@pytest.fixture
def counter_url(app, counter) -> str:
    with app.test_request_context():
        return f"/r/{services.counter_token(counter)}"


def nonce_of(response) -> str:
    match = NONCE_RE.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:500]
    return match.group(1)


def tracking_of(response) -> str | None:
    match = TRACKING_RE.search(response.get_data(as_text=True))
    return match.group(1) if match else None


class Rater:
    def __init__(self, client):
        self.client = client

    def open(self, url: str):
        return self.client.get(url)

    def submit(
        self,
        url: str,
        data: dict | list | None = None,
        *,
        nonce: str | None = None,
        follow: bool = True,
        **kw,
    ):
        """Post the form; by default follow the redirect to the thank-you page, as a
        browser does (Post/Redirect/Get)."""
        if nonce is None:
            nonce = nonce_of(self.client.get(url))
        if isinstance(data, list):
            response = self.client.post(url, data=MultiDict([("nonce", nonce), *data]), **kw)
        else:
            payload = {"score": "4", **(data or {})}
            payload.setdefault("nonce", nonce)
            payload = {k: v for k, v in payload.items() if v is not None}
            response = self.client.post(url, data=payload, **kw)
        if follow and response.status_code == 303:
            return self.client.get(response.headers["Location"])
        return response


@pytest.fixture
def rater(client) -> Rater:
    return Rater(client)


@pytest.fixture
def make_receipt(app, center):
    def make(*, expires_at: datetime | None = None, counter=None, dossier="H25.01-251123-0001"):
        receipt = services.issue_receipt(
            center, dossier_code=dossier, outcome="completed", counter=counter, officer=None
        )
        if expires_at is not None:
            receipt.expires_at = expires_at
        from portal.extensions import db

        db.session.commit()
        return receipt

    return make


def receipt_url(app, receipt: Receipt) -> str:
    with app.test_request_context():
        return f"/r/{services.receipt_token(receipt)}"


__all__ = ["now_utc", "nonce_of", "tracking_of", "receipt_url"]
