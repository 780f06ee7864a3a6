"""Issue 12, defect 3: token and code patterns match whole strings of ASCII digits, and the
single-use nonce key is taken on the canonical form."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.accounts.forms import UserEditForm
from portal.assessments.forms import PeriodForm
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Rating
from portal.shared import qr
from tests.ratings.conftest import nonce_of

SECRET = "s" * 40


def test_a_token_with_a_trailing_newline_does_not_verify():
    token = qr.sign(SECRET, "c", 12, 1)
    assert qr.verify(SECRET, token, "c", arity=2) == (12, 1)
    assert qr.verify(SECRET, token + "\n", "c", arity=2) is None


@pytest.mark.parametrize("digit", ["٣", "４", "३"])
def test_a_token_with_non_ascii_digits_does_not_verify(digit):
    token = qr.sign(SECRET, "c", 3, 1)
    forged = token.replace("c3.", f"c{digit}.", 1)
    assert qr.verify(SECRET, forged, "c", arity=2) is None


def test_a_nonce_cannot_be_used_twice_with_a_trailing_newline(app, client, counter_url):
    nonce = nonce_of(client.get(counter_url))
    first = client.post(counter_url, data={"nonce": nonce, "score": "5"})
    assert first.status_code == 303  # stored
    again = client.post(counter_url, data={"nonce": nonce + "\n", "score": "5"})
    assert again.status_code in (400, 409)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 1


def test_the_nonce_key_is_the_canonical_form(app, center):
    with app.test_request_context():
        target = services.Target(
            channel=services.Channel.COUNTER_QR, center=center, counter=center.counters[0]
        )
        nonce = services.issue_nonce(target)
        check = services.check_nonce(nonce, target)
        assert check.valid
        assert services.check_nonce(nonce + "\n", target).valid is False
        code, target_id, issued, rand = qr.verify(app.config["SECRET_KEY"], nonce, "n", arity=4)
        assert check.key == services.nonce_key((code, target_id, issued, rand))


@pytest.mark.parametrize("username", ["quanly\n", "quan\nly", "quanly٣"])
def test_usernames_are_matched_whole(app, username):
    with app.test_request_context():
        form = UserEditForm(MultiDict({"username": username}), meta={"csrf": False})
        assert form.username.validate(form) is False


@pytest.mark.parametrize("code", ["2026-Q1\n", "2026\n-Q1"])
def test_period_codes_are_matched_whole(app, code):
    with app.test_request_context():
        form = PeriodForm(MultiDict({"code": code}), meta={"csrf": False})
        assert form.code.validate(form) is False
