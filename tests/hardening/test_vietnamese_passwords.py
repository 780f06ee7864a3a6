"""Issue 22, finding 7: ``VietTri@2026``, ``Haiphong@2026``, ``Viettri123!`` and
``Tuyenquang@1`` were accepted. A place name (any province, commune or ward), a common
Vietnamese personal name or one of the portal's own words with only digits and symbols
added is refused, whatever the case, diacritics or letter-for-digit substitutions, and the
person is told why."""

from __future__ import annotations

import pytest

from portal.accounts import services
from portal.extensions import db
from tests.conftest import PASSWORD

FROM_THE_FINDING = ["VietTri@2026", "Haiphong@2026", "Viettri123!", "Tuyenquang@1"]
VARIANTS = [
    "V1etTr1@2026",  # digits for letters
    "Việt Trì 2026!",  # diacritics and spaces
    "HAIPHONG#2025",
    "@@CaoBang1990@@",
    "2026.lai.chau.2026",
    "HoanKiem@12345",  # a ward of Hà Nội
    "Motcua@2026",  # the portal's own word
    "phutho123456",
    "NguyenVanAn1990",  # family, middle and given name with a year
    "Tran.Thi.Huong.85",
    "HaNoiViettri2026",  # two place names
    "Canbo@2026",  # "officer"
]
STRONG = [
    "correct-horse-battery",
    "PhuTho-quanly-2026-bien",
    "Mây trắng bay qua đồi chè",
    "Viettri-la-que-huong-toi-yeu",
    "tra xanh Tan Cuong buoi sang",
]


@pytest.mark.parametrize("weak", FROM_THE_FINDING + VARIANTS)
def test_place_and_name_patterns_are_refused_with_the_reason(app, weak):
    with app.test_request_context(), pytest.raises(services.AccountError) as refused:
        services.check_password_policy(weak, username="canbo7")
    assert "tên địa danh" in str(refused.value.message)  # the reason, in Vietnamese by default


@pytest.mark.parametrize("good", STRONG)
def test_longer_passphrases_with_a_place_name_pass(app, good):
    with app.test_request_context():
        services.check_password_policy(good, username="canbo7")


def test_the_reason_is_shown_in_vietnamese(client, auth, users):
    auth.login(users["manager"])
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "VietTri@2026",
            "confirm": "VietTri@2026",
        },
    )
    assert response.status_code == 200
    assert "tên địa danh" in response.text
    db.session.expire_all()
    assert users["manager"].check_password(PASSWORD)
