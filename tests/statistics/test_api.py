"""POST /api/v1/dossier-stats: a key is required, its province limits the centers, the rows are
checked like the CSV import (all or nothing), and the answers match the OpenAPI document."""

from __future__ import annotations

import jsonschema
import pytest

from portal.api.openapi import OPENAPI
from portal.statistics.models import DossierStat

URL = "/api/v1/dossier-stats"
ROW = {
    "center": "07900",
    "counter": 1,
    "month": "2026-10",
    "received": 120,
    "on_time": 100,
    "late": 5,
    "returned": 10,
    "online": 60,
}


def _schema(status: str) -> dict:
    op = OPENAPI["paths"]["/dossier-stats"]["post"]
    schema = op["responses"][status]["content"]["application/json"]["schema"]
    return {**schema, "components": OPENAPI["components"]}


def _post(client, key, body):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post(URL, json=body, headers=headers)


def test_rows_are_stored_and_replaced(client, api_key, center, count_rows):
    response = _post(client, api_key, {"rows": [ROW, {**ROW, "counter": 2}]})
    assert response.status_code == 200
    jsonschema.validate(response.get_json(), _schema("200"))
    assert response.get_json() == {"rows": 2, "replaced": 0, "centers": 1, "months": 1}
    again = _post(client, api_key, {"rows": [ROW]}).get_json()
    assert again["replaced"] == 2 and count_rows(DossierStat) == 1


@pytest.mark.parametrize("key", [None, "osp_wrong"])
def test_a_key_is_required(client, center, count_rows, key):
    response = _post(client, key, {"rows": [ROW]})
    assert response.status_code == 401
    jsonschema.validate(response.get_json(), _schema("401"))
    assert count_rows(DossierStat) == 0


def test_a_center_outside_the_keys_province_is_refused(
    client, api_key, center, create_center, count_rows
):
    far = create_center("00004", province_code=1)
    response = _post(client, api_key, {"rows": [ROW, {**ROW, "center": far.code, "counter": None}]})
    assert response.status_code == 404
    jsonschema.validate(response.get_json(), _schema("404"))
    assert count_rows(DossierStat) == 0


def test_a_bad_row_stores_nothing_and_names_the_row_and_field(client, api_key, center, count_rows):
    bad = {**ROW, "counter": 2, "on_time": 200}
    response = _post(client, api_key, {"rows": [ROW, bad]})
    assert response.status_code == 400
    jsonschema.validate(response.get_json(), _schema("400"))
    assert response.get_json()["problems"][0].startswith("Dòng 2, cột «Đúng hạn»")
    assert count_rows(DossierStat) == 0
