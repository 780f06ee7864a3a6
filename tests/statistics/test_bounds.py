"""Issue 22, finding 5: every imported number and month has a plausible range.

``"received": "9000000000000000000"`` was stored (and the assessment pages then failed with an
integer overflow), ``99999999999999999999`` answered 500, and on PostgreSQL anything from 2^31
did; ``01/0001`` was a month. The CSV import answered 500 for a cell over 131,072 characters,
for numbers from 2^63 and for a 400-digit number. Each is now a per-row error naming the line
and the column, and nothing is stored. Run with ``TEST_DATABASE_URL`` for PostgreSQL.
"""

from __future__ import annotations

import io

import pytest

from portal.api.openapi import OPENAPI
from portal.statistics import importers
from portal.statistics.models import DossierStat

URL = "/api/v1/dossier-stats"
ROW = {
    "center": "07900",
    "counter": 1,
    "month": "2026-01",
    "received": 120,
    "on_time": 100,
    "late": 5,
    "returned": 10,
    "online": 60,
}
HEADER = "Mã trung tâm;Quầy;Tháng;Tiếp nhận;Đúng hạn;Trễ hạn;Trả lại;Trực tuyến\n"
TOO_BIG = [
    "9000000000000000000",
    "99999999999999999999",
    str(2**31),
    str(2**63),
    "9" * 400,
    str(importers.MAX_COUNT + 1),
]


def _post(client, key, rows):
    return client.post(URL, json={"rows": rows}, headers={"Authorization": f"Bearer {key}"})


@pytest.mark.parametrize("value", [*TOO_BIG[:4], 2**31, 2**63, 10**30])
@pytest.mark.parametrize("field", ["received", "online", "counter"])
def test_api_numbers_beyond_the_range_are_a_row_problem(
    client, api_key, center, count_rows, field, value
):
    response = _post(client, api_key, [{**ROW, field: value}])
    assert response.status_code == 400
    problems = response.get_json()["problems"]
    assert len(problems) >= 1 and problems[0].startswith("Dòng 1, cột")
    assert count_rows(DossierStat) == 0


@pytest.mark.parametrize("month", ["0001-01", "1999-12", "9999-01"])
def test_api_months_outside_the_window_are_refused(client, api_key, center, count_rows, month):
    response = _post(client, api_key, [{**ROW, "month": month}])
    assert response.status_code == 400
    assert "Tháng" in response.get_json()["problems"][0]
    assert count_rows(DossierStat) == 0


def test_the_largest_plausible_figures_are_stored(client, api_key, center, count_rows):
    big = importers.MAX_COUNT
    row = {**ROW, "received": big, "on_time": big, "late": 0, "returned": big, "online": big}
    response = _post(client, api_key, [row, {**ROW, "counter": None, "month": "2000-01"}])
    assert response.status_code == 200, response.get_json()
    assert count_rows(DossierStat) == 2


def test_the_openapi_document_states_the_count_range():
    items = OPENAPI["paths"]["/dossier-stats"]["post"]["requestBody"]["content"][
        "application/json"
    ]["schema"]["properties"]["rows"]["items"]["properties"]
    for name in ("received", "on_time", "late", "returned", "online"):
        assert items[name]["maximum"] == importers.MAX_COUNT


def _upload(client, text: str, kind: str = "dossiers"):
    return client.post(
        "/statistics/import",
        data={"kind": kind, "file": (io.BytesIO(text.encode()), "motcua.csv")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("value", TOO_BIG)
def test_csv_numbers_beyond_the_range_are_a_line_problem(
    client, auth, users, center, count_rows, value
):
    auth.login(users["admin"])
    page = _upload(client, HEADER + f"07900;1;01/2026;{value};0;0;0;0\n")
    assert page.status_code == 422
    assert "Dòng 2, cột «Tiếp nhận»" in page.get_data(as_text=True)
    assert count_rows(DossierStat) == 0


@pytest.mark.parametrize("month", ["01/0001", "12/1999", "01/9999"])
def test_csv_months_outside_the_window_are_a_line_problem(
    client, auth, users, center, count_rows, month
):
    auth.login(users["admin"])
    page = _upload(client, HEADER + f"07900;1;{month};10;5;1;0;1\n")
    assert page.status_code == 422
    assert "Dòng 2, cột «Tháng»" in page.get_data(as_text=True)
    assert count_rows(DossierStat) == 0


# Below 500 kB: beyond that the test client spools the body to a file it never closes.
@pytest.mark.parametrize("size", [2_000, 131_073, 400_000])
@pytest.mark.parametrize("kind", ["dossiers", "index"])
def test_csv_cells_longer_than_the_limit_are_refused(
    client, auth, users, center, count_rows, size, kind
):
    auth.login(users["admin"])
    page = _upload(client, HEADER + f'07900;1;01/2026;"{"1" * size}";0;0;0;0\n', kind)
    assert page.status_code == 422
    assert "dài hơn" in page.get_data(as_text=True)
    assert count_rows(DossierStat) == 0
