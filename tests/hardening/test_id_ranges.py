"""Issue 22, finding 2: an id outside its column's range is a 404 (path) or 422 (JSON),
never a 500. Every primary key is a 32-bit ``INTEGER`` on PostgreSQL, so ``/cases/2147483648``
answered 500 ("integer out of range") there while SQLite answered 404.

Run with ``TEST_DATABASE_URL`` to cover PostgreSQL as well.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from portal.api.openapi import OPENAPI
from portal.extensions import db
from portal.ratings.models import Receipt

OUT_OF_RANGE = [2**31, 2**63, 10**30]


def _int_routes(app) -> list[tuple[str, str, list[str]]]:
    """(rule, method, int argument names) for every route with an ``<int:…>`` argument."""
    routes = []
    for rule in app.url_map.iter_rules():
        names = [
            name
            for name, converter in rule._converters.items()
            if converter.regex == app.url_map.converters["int"].regex
            and isinstance(converter, app.url_map.converters["int"])
        ]
        if not names:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule, method, names))
    return routes


def _url(rule, names: list[str], number: int, center_code: str) -> str:
    parts = []
    for is_dynamic, text in rule._trace:
        if not is_dynamic:
            parts.append(text)
        elif text in names:
            parts.append(str(number))
        else:
            parts.append(center_code)
    return "".join(parts).split("|", 1)[-1]


def test_the_routes_with_ids_are_enumerated(app):
    routes = _int_routes(app)
    paths = {str(rule) for rule, _, _ in routes}
    assert len(paths) >= 20
    assert "/cases/<int:case_id>" in paths or any(p.startswith("/cases/") for p in paths)


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_every_route_refuses_an_id_beyond_its_column(app, client, auth, users, center, number):
    auth.login(users["admin"])
    failures = []
    for rule, method, names in _int_routes(app):
        url = _url(rule, names, number, center.code)
        response = client.open(url, method=method)
        # 405: the path matches another rule (a text argument) for other methods only.
        if response.status_code not in (404, 405):
            failures.append(f"{method} {url} -> {response.status_code}")
    assert failures == []


def test_the_largest_id_still_reaches_the_view(app, client, auth, users, center):
    """2^31 - 1 is within range: the route answers its own 404 (no such row), not a 500."""
    auth.login(users["admin"])
    for rule, method, names in _int_routes(app):
        if method != "GET":
            continue
        url = _url(rule, names, 2**31 - 1, center.code)
        assert client.get(url).status_code < 500, url


@pytest.fixture
def api_key(runner, app) -> str:
    result = runner.invoke(args=["api", "create-key", "Hệ thống một cửa tỉnh", "--province", "25"])
    assert result.exit_code == 0
    return result.output.strip()


@pytest.mark.parametrize("field", ["officer", "counter"])
@pytest.mark.parametrize("number", [*OUT_OF_RANGE, 0, -1, -(2**31) - 1])
def test_api_ids_beyond_their_column_are_422(client, api_key, center, field, number):
    response = client.post(
        "/api/v1/receipts",
        data=json.dumps({"center": center.code, "dossier_code": "H1", field: number}),
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Receipt)) == 0


def test_the_openapi_document_states_the_id_ranges():
    receipt = OPENAPI["paths"]["/receipts"]["post"]
    schema = receipt["requestBody"]["content"]["application/json"]["schema"]["properties"]
    for field in ("officer", "counter"):
        assert schema[field]["minimum"] == 1
        assert schema[field]["maximum"] == 2**31 - 1
    assert "422" in receipt["responses"]
    rows = OPENAPI["paths"]["/dossier-stats"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]["properties"]["rows"]["items"]["properties"]
    assert rows["counter"]["maximum"] == 2**31 - 1
