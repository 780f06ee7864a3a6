"""Issue 12, defect 4: bad input gets a clear 400/404 and changes nothing (never a 500).

Every case runs on SQLite and, with ``TEST_DATABASE_URL``, on PostgreSQL (which refuses
NUL bytes in text and integers beyond 64 bits where SQLite raises OverflowError).
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.centers.models import Center
from portal.extensions import db
from portal.ratings.models import Rating, Receipt

HUGE = "99999999999999999999999"


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# Tokens and nonces with non-ASCII digits -------------------------------------------------


@pytest.mark.parametrize("prefix", ["/r/", "/kiosk/"])
@pytest.mark.parametrize("digit", ["٣", "４"])
def test_non_ascii_digits_in_rating_tokens_are_404(client, counter_url, prefix, digit):
    token = counter_url.removeprefix("/r/")
    forged = token[0] + digit + token[2:]
    assert client.get(prefix + forged).status_code == 404
    assert client.post(prefix + forged, data={"score": "5"}).status_code == 404


def test_non_ascii_digits_in_a_nonce_are_400(client, counter_url):
    nonce = "n١.1.1700000000000.1.AAAAAAAAAAAAAAAAAAAAAA"
    response = client.post(counter_url, data={"nonce": nonce, "score": "5"})
    assert response.status_code == 400
    assert count(Rating) == 0


# Dates at the ends of the calendar ----------------------------------------------------------


DATE_QUERIES = [
    "from=0001-01-01",
    "to=0001-01-01",
    "to=9999-12-31",
    "from=9999-12-31&to=9999-12-31",
    "from=0001-01-01&to=0001-01-01",
    "from=٢٠٢٦-01-01",
]


@pytest.mark.parametrize("query", DATE_QUERIES)
def test_extreme_dates_in_rating_pages_are_400(client, auth, users, center, query):
    auth.login(users["admin"])
    assert client.get(f"/ratings/?{query}").status_code == 400
    assert client.get(f"/ratings/{center.code}?{query}").status_code == 400


@pytest.mark.parametrize("query", DATE_QUERIES)
def test_extreme_dates_in_the_api_are_400(client, center, query):
    response = client.get(f"/api/v1/centers/{center.code}/satisfaction?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == 400


@pytest.mark.parametrize(
    "query",
    [
        "date_from=0001-01-01",
        "date_to=9999-12-31",
        "date_from=9999-12-31",
        "date_to=0001-01-01",
    ],
)
def test_extreme_dates_in_audit_filters_are_refused_with_a_message(client, auth, users, query):
    # The filter form shows its error, like any other malformed date there (tests/audit).
    auth.login(users["admin"])
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    assert "01/01/2000" in response.get_data(as_text=True)


# Integers beyond 64 bits -------------------------------------------------------------------


def big_urls(center_code: str) -> list[str]:
    return [
        f"/complaints/{HUGE}",
        f"/assessments/{HUGE}",
        f"/assessments/evidence/{HUGE}",
        f"/assessments/periods/{HUGE}/edit",
        f"/centers/{center_code}/counters/{HUGE}/edit",
        f"/centers/{center_code}/officers/{HUGE}/edit",
        f"/ratings/{center_code}/receipts/{HUGE}",
        f"/ratings/{center_code}/counters/{HUGE}/qr.png",
        f"/admin/users/{HUGE}/edit",
        f"/standards/versions/{HUGE}",
        "/complaints/٣",
    ]


def test_integers_beyond_64_bits_in_urls_are_404(client, auth, users, center):
    auth.login(users["admin"])
    for url in big_urls(center.code):
        assert client.get(url).status_code == 404, url
    for url in [
        f"/assessments/evidence/{HUGE}/delete",
        f"/ratings/{center.code}/ratings/{HUGE}/hide",
        f"/ratings/{center.code}/ratings/{HUGE}/clear",
        f"/ratings/{center.code}/counters/{HUGE}/revoke",
        f"/admin/users/{HUGE}/reset-password",
    ]:
        assert client.post(url).status_code == 404, url


def test_a_huge_period_id_is_404(client, auth, users, center):
    auth.login(users["manager"])
    assert client.post("/assessments/start", data={"period_id": "1" + "0" * 30}).status_code == 404


@pytest.mark.parametrize("query", ["page=9223372036854775807", "page=" + HUGE, "per_page=" + HUGE])
@pytest.mark.parametrize(
    "path", ["/centers/", "/admin/users", "/audit/", "/complaints/", "/ratings/"]
)
def test_huge_page_numbers_are_404(client, auth, users, center, path, query):
    auth.login(users["admin"])
    assert client.get(f"{path}?{query}").status_code == 404


# API bodies --------------------------------------------------------------------------------


def _post(client, api_key, body):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        "/api/v1/receipts",
        data=data,
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"center": ["07900"], "dossier_code": "H1"}, 400),
        ({"center": "07900", "dossier_code": ["H1"]}, 400),
        ({"center": "07900", "dossier_code": "H1", "outcome": ["completed"]}, 400),
        ({"center": "07900", "dossier_code": "H1", "outcome": {"a": 1}}, 400),
        ({"center": "07900", "dossier_code": "H1", "counter": 10**30}, 422),
        ({"center": "07900", "dossier_code": "H1", "officer": 10**30}, 422),
        ({"center": "07900", "dossier_code": "H1", "counter": [1]}, 400),
        ({"center": "07900", "dossier_code": "H\u00001"}, 400),
        ({"center": "079\u000000", "dossier_code": "H1"}, 400),
        ("[" * 50_000 + "]" * 50_000, 413),
        ("[" * 20_000 + "]" * 20_000, 400),
        ('{"center": "07900", "dossier_code": ' + "[" * 20_000 + "]" * 20_000 + "}", 400),
    ],
)
def test_bad_api_bodies_are_refused(client, api_key, center, body, status):
    response = _post(client, api_key, body)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == status
    assert count(Receipt) == 0


# NUL bytes ---------------------------------------------------------------------------------


def test_nul_in_the_login_form_is_400(client, users):
    response = client.post("/account/login", data={"username": "adm\x00in", "password": "x"})
    assert response.status_code == 400


def test_nul_in_query_strings_is_400(client, auth, users):
    assert client.get("/t/?code=AB%00CD").status_code == 400
    auth.login(users["admin"])
    assert client.get("/centers/?q=a%00b").status_code == 400
    assert client.get("/audit/?action=a%00").status_code == 400


def test_nul_in_a_url_path_is_404(client, auth, users, center):
    auth.login(users["admin"])
    assert client.get("/centers/079%0000").status_code in (400, 404)
    assert client.get("/api/v1/centers/079%0000/satisfaction").status_code in (400, 404)


def test_nul_in_a_center_edit_changes_nothing(client, auth, users, center):
    auth.login(users["manager"])
    before = count(AuditEntry)
    response = client.post(f"/centers/{center.code}/edit", data={"name": "Trung tâm\x00 mới"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Center, center.id).name.startswith("Trung tâm Phục vụ")
    assert count(AuditEntry) == before


def test_nul_in_a_receipt_dossier_code_changes_nothing(client, auth, users, center):
    auth.login(users["manager"])
    response = client.post(
        f"/ratings/{center.code}/receipts/new",
        data={"dossier_code": "H25\x00", "outcome": "completed", "counter": "", "officer": ""},
    )
    assert response.status_code == 400
    assert count(Receipt) == 0
