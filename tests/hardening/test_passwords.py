"""Issue 12, defect 6: weak passwords are refused (common-password list and repeated,
sequential and keyboard patterns), with a translated message."""

from __future__ import annotations

import pytest

from portal.accounts import services
from portal.extensions import db
from tests.conftest import PASSWORD

WEAK = [
    " " * 10,
    "aaaaaaaaaa",
    "password12",
    "qwerty12345",
    "1q2w3e4r5t6y",
    "abcdefghijk",
    "0123456789",
    "1234512345",
    "iloveyou2024",
    "football123",
    "sunshine2020",
    "zxcvbnm123",
    "Password1234",
]


@pytest.mark.parametrize("weak", WEAK)
def test_weak_passwords_are_refused(app, weak):
    with app.test_request_context(), pytest.raises(services.AccountError):
        services.check_password_policy(weak, username="quanly")


@pytest.mark.parametrize(
    "good",
    [
        "correct-horse-battery",
        "PhuTho-quanly-2026",
        "a-new-long-password",
        "Mây trắng bay qua đồi chè",
    ],
)
def test_strong_passwords_pass(app, good):
    with app.test_request_context():
        services.check_password_policy(good, username="canbo7")


@pytest.mark.parametrize("weak", ["password12", "1q2w3e4r5t6y", " " * 10])
def test_the_change_password_page_refuses_them_in_vietnamese(client, auth, users, weak):
    auth.login(users["manager"])
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": weak, "confirm": weak},
    )
    assert response.status_code == 200
    assert "Mật khẩu này quá dễ đoán" in response.get_data(as_text=True)
    db.session.expire_all()
    assert users["manager"].check_password(PASSWORD)
