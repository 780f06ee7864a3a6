"""The public board, center page, methodology, CSV and API: what anyone sees, and that it agrees."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import jsonschema
import pytest
from referencing import Registry, Resource

from portal.api.openapi import OPENAPI
from portal.extensions import db
from portal.rankings import services
from portal.shared.timeutils import today_local

from .conftest import add_rollup


def validate(response, path: str, status: int = 200):
    """The response body against the OpenAPI document's schema for this path and status."""
    assert response.status_code == status, response.get_data(as_text=True)
    operation = OPENAPI["paths"][path]["get"]
    schema = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    registry = Registry().with_resource("urn:openapi", Resource.opaque(OPENAPI))
    schema = _resolve_refs(schema)
    jsonschema.Draft202012Validator(schema, registry=registry).validate(response.json)
    return response.json


def _resolve_refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _resolve_refs(OPENAPI["components"]["schemas"][name])
        return {k: _resolve_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve_refs(v) for v in node]
    return node


@pytest.fixture
def published(small_period, users):
    settings = services.settings_for(small_period["period"])
    values = {**settings.as_dict(), "prior_weight": 0}
    services.update_settings(settings, values, actor=users["admin"])
    services.publish(small_period["period"], actor=users["admin"])
    db.session.commit()
    return small_period


def test_anonymous_sees_nothing_unpublished(small_period, client, users):
    services.recompute_snapshots(small_period["period"], actor=users["admin"])
    db.session.commit()
    html = client.get("/rankings/").get_data(as_text=True)
    assert "Chưa có bảng xếp hạng nào được công bố" in html
    assert "07900" not in html
    assert client.get("/rankings/?period=2026-Q1").status_code == 404
    assert client.get("/rankings/centers/07900").status_code == 404
    assert client.get("/rankings/2026-Q1/ranking.csv").status_code == 404
    assert validate(client.get("/api/v1/periods"), "/periods") == {"periods": []}
    validate(client.get("/api/v1/rankings?period=2026-Q1"), "/rankings", 404)
    scores = validate(client.get("/api/v1/centers/07900/scores"), "/centers/{code}/scores")
    assert scores["scores"] == []


def test_the_same_ranking_on_the_board_in_the_api_the_table_and_the_csv(published, client):
    period = published["period"]
    snapshots = services.ranking_rows(period)
    table = [(s.center.code, s.rank, s.quality, s.classification) for s in snapshots]
    province = [row for row in table if row[0] != "00004"]  # another province's center
    assert province[:2] == [("07900", 1, 90.0, "excellent"), ("07894", 2, 84.64, "good")]

    api = validate(client.get("/api/v1/rankings?period=2026-Q1"), "/rankings")
    assert [(c["code"], c["rank"], c["quality"], c["class"]) for c in api["centers"]] == table
    assert set(api["centers"][0]) == {
        "code", "name", "compliance_self", "compliance_verified", "satisfaction_index",
        "satisfaction_adjusted", "csat", "csat_wilson_lower", "n_ratings", "quality", "class",
        "rank", "satisfaction_rank", "standardized", "state", "under_appeal",
    }  # fmt: skip
    assert api["period"]["state"] == "provisional"
    assert validate(client.get("/api/v1/rankings"), "/rankings") == api  # latest by default

    response = client.get("/rankings/2026-Q1/ranking.csv")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeffrank,code,name")
    lines = body.lstrip("\ufeff").splitlines()
    assert "CC BY 4.0" in lines[-1]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[:-1]))))
    assert [
        (r["code"], int(r["rank"]) if r["rank"] else None, float(r["quality"]) if r["quality"]
         else None, r["class"] or None)
        for r in rows
    ] == table  # fmt: skip

    html = client.get("/rankings/?period=2026-Q1").get_data(as_text=True)
    positions = [html.index(f"/rankings/centers/{code}?") for code, *_ in table]
    assert positions == sorted(positions)  # same order
    assert "90,00" in html and "84,64" in html and "Xuất sắc" in html and "Tốt" in html
    assert "chưa đủ đánh giá" in html  # the third center has 20 ratings

    periods = validate(client.get("/api/v1/periods"), "/periods")["periods"]
    assert [p["code"] for p in periods] == ["2026-Q1"]
    scores = validate(client.get("/api/v1/centers/07900/scores"), "/centers/{code}/scores")
    assert scores["scores"][0]["quality"] == 90.0
    assert scores["scores"][0]["areas"]["NL"] == {"self": 90.0, "verified": 86.25}


def test_api_ranking_answers_304_until_the_ranking_is_recomputed(published, client, users):
    first = client.get("/api/v1/rankings?period=2026-Q1")
    etag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "public, no-cache"
    again = client.get("/api/v1/rankings?period=2026-Q1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == etag
    # A recompute that changes nothing keeps the version ...
    services.recompute_snapshots(published["period"], actor=users["admin"])
    db.session.commit()
    same = client.get("/api/v1/rankings?period=2026-Q1", headers={"If-None-Match": etag})
    assert same.status_code == 304
    # ... one that changes the figures (more ratings for the third center) gives a new one.
    add_rollup(published["C"], (0, 0, 0, 0, 30), day=today_local() - timedelta(days=2))
    db.session.commit()
    services.recompute_snapshots(published["period"], actor=users["admin"])
    db.session.commit()
    after = client.get("/api/v1/rankings?period=2026-Q1", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.headers["ETag"] != etag
    assert validate(after, "/rankings") != first.json


def test_board_filters_and_search_without_diacritics(published, client):
    html = client.get("/rankings/?q=viet+tri").get_data(as_text=True)
    assert "Việt Trì" in html and "Nông Trang" not in html
    html = client.get("/rankings/?class=good").get_data(as_text=True)
    assert "Nông Trang" in html and "Việt Trì" not in html
    html = client.get("/rankings/?level=province").get_data(as_text=True)
    assert "Không có trung tâm phù hợp" in html


def test_center_page_methodology_and_home(published, client):
    html = client.get("/rankings/centers/07900?period=2026-Q1").get_data(as_text=True)
    assert "90,00" in html and "86,10" in html and "Điểm theo lĩnh vực" in html
    assert "Lịch sử xếp loại" in html and "Tạm thời" in html
    html = client.get("/rankings/methodology").get_data(as_text=True)
    # The worked example at the boundary, computed by the rules at render time.
    assert "0,70 × 79,994 + 0,30 × 80 = <strong>80,00</strong> → Tốt" in html
    english = client.get("/rankings/methodology?lang=en").get_data(as_text=True)
    assert "How scores are computed" in english
    home = client.get("/").get_data(as_text=True)
    assert "/rankings/" in home and "/r/" in home and "/t/" in home


def test_csv_cells_cannot_start_a_formula(published, client):
    center = published["A"]
    center.name = '=HYPERLINK("http://x")'
    db.session.commit()
    body = client.get("/rankings/2026-Q1/ranking.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


def test_staff_see_officers_ranked_above_the_minimum_only(
    published, client, auth, users, create_officer
):
    center = published["A"]
    good = create_officer(center, full_name="Trần Thị Tốt")
    few = create_officer(center, full_name="Lê Văn Ít")

    add_rollup(center, (0, 0, 0, 5, 30), scope="officer", key_id=good.id)
    add_rollup(center, (0, 0, 0, 0, 3), scope="officer", key_id=few.id)
    db.session.commit()
    auth.login(users["manager"])
    html = client.get("/rankings/officers").get_data(as_text=True)
    assert "Trần Thị Tốt" in html and "1 / 1" in html
    row = html[html.index("Lê Văn Ít") :]
    assert "chưa đủ đánh giá" in row[:400]
    public = client.get("/rankings/?period=2026-Q1").get_data(as_text=True)
    assert "Trần Thị Tốt" not in public
