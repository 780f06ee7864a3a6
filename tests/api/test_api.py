"""The JSON API: centers, satisfaction from rollups, receipts with an API key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from portal.api.models import ApiKey
from portal.extensions import db
from portal.ratings import services
from portal.ratings.models import Channel, Receipt


@pytest.fixture
def api_key(runner, app) -> str:
    result = runner.invoke(args=["api", "create-key", "Hệ thống một cửa tỉnh", "--province", "25"])
    assert result.exit_code == 0
    return result.output.strip()


def test_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert {"/centers", "/centers/{code}/satisfaction", "/receipts"} <= set(doc["paths"])


def test_centers(client, center, other_center):
    data = client.get("/api/v1/centers").get_json()
    assert [c["code"] for c in data["centers"]] == ["07894", "07900"]


def test_satisfaction_reads_rollups(client, app, center):
    target = services.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    for i, score in enumerate([5, 4, 4, 1]):
        services.submit_rating(target, services.RatingInput(score=score), nonce_key=f"a{i}")
    staff = services.Target(channel=Channel.STAFF, center=center, counter=center.counters[0])
    services.submit_rating(staff, services.RatingInput(score=1), nonce_key="staff")
    db.session.commit()
    data = client.get("/api/v1/centers/07900/satisfaction").get_json()
    assert data["n_ratings"] == 4
    assert data["counts"] == {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}
    assert data["csat"] == 0.75
    assert data["satisfaction_index"] == pytest.approx((4 + 3 + 3 + 0) / 16 * 100)
    assert 0 < data["csat_wilson_lower"] < 0.75
    empty = client.get("/api/v1/centers/07900/satisfaction?from=2020-01-01&to=2020-01-31")
    assert empty.get_json()["n_ratings"] == 0 and empty.get_json()["csat"] is None


@pytest.mark.parametrize("query", ["from=2026-13-01", "to=abc", "from=2026-02-01&to=2026-01-01"])
def test_satisfaction_bad_period_is_400(client, center, query):
    response = client.get(f"/api/v1/centers/07900/satisfaction?{query}")
    assert response.status_code == 400 and "error" in response.get_json()


def test_satisfaction_unknown_center_is_404(client):
    assert client.get("/api/v1/centers/nope/satisfaction").status_code == 404


def test_post_receipt(client, api_key, center, app):
    response = client.post(
        "/api/v1/receipts",
        json={"center": "07900", "counter": 1, "dossier_code": "H25.01-251123-0009"},
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["url"].startswith("https://danhgia.example.vn/r/r")
    assert body["expires_at"].endswith("Z") and "<svg" in body["qr_svg"]
    receipt = db.session.scalars(sa.select(Receipt)).one()
    assert receipt.issued_via == "api" and receipt.counter.number == 1
    assert db.session.scalars(sa.select(ApiKey)).one().last_used_at is not None
    # The citizen follows the URL and can rate once.
    path = body["url"].split("danhgia.example.vn", 1)[1]
    assert client.get(path).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}, {"X-Api-Key": "x"}],
)
def test_post_receipt_needs_a_valid_key(client, center, headers):
    response = client.post(
        "/api/v1/receipts", json={"center": "07900", "dossier_code": "X"}, headers=headers
    )
    assert response.status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 0


def test_disabled_key_is_refused(client, api_key, center):
    db.session.scalars(sa.select(ApiKey)).one().is_active = False
    db.session.commit()
    response = client.post(
        "/api/v1/receipts",
        json={"center": "07900", "dossier_code": "X"},
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert response.status_code == 401


@pytest.mark.parametrize(
    "body,status",
    [
        ("not json", 400),
        ({"center": "07900"}, 400),
        ({"center": "07900", "dossier_code": ""}, 400),
        ({"center": "07900", "dossier_code": "x" * 65}, 400),
        ({"center": "07900", "dossier_code": "X", "outcome": "won"}, 400),
        ({"center": "07900", "dossier_code": "X", "counter": "1"}, 400),
        ({"center": "07900", "dossier_code": "X", "counter": 99}, 404),
        ({"center": "07900", "dossier_code": "X", "officer": 12345}, 404),
        ({"center": "00004", "dossier_code": "X"}, 404),  # another province than the key's
        ({"center": "nope", "dossier_code": "X"}, 404),
    ],
)
def test_post_receipt_bad_bodies(client, api_key, center, create_center, body, status):
    create_center("00004", province_code=1, counters=1)
    headers = {"Authorization": f"Bearer {api_key}"}
    if isinstance(body, str):
        response = client.post(
            "/api/v1/receipts", data=body, headers=headers, content_type="application/json"
        )
    else:
        response = client.post("/api/v1/receipts", json=body, headers=headers)
    assert response.status_code == status
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 0


def test_api_is_csrf_exempt_but_get_only_where_declared(client):
    assert client.post("/api/v1/centers").status_code == 405


def test_qr_png_helper_decodes(tmp_path):
    from portal.shared import qr

    path = tmp_path / "q.png"
    path.write_bytes(qr.qr_png("https://danhgia.example.vn/r/c1.1.x"))
    with Image.open(path) as image:
        assert [r.text for r in zxingcpp.read_barcodes(image)] == [
            "https://danhgia.example.vn/r/c1.1.x"
        ]
