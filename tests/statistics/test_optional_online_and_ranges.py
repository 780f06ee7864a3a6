"""A dossier file without an online column is accepted (online recorded as 0, and the
admin told so); the import page and the template state every column's allowed range, read
from the same definitions the checks use."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.statistics import importers, services
from portal.statistics.models import INDEX_GROUPS, INDEX_TOTAL_MAX, DossierStat, ServiceIndex

TODAY = date(2026, 12, 2)
NO_ONLINE = (
    "Mã trung tâm;Quầy;Tháng;Tiếp nhận;Đúng hạn;Trễ hạn;Trả lại\n"
    "07900;1;11/2026;1.234;1.100;34;56\n07900;2;11/2026;20;18;1;1\n"
)


def test_a_file_without_online_is_read_with_online_unknown(app, center):
    rows = importers.read_dossier_csv(NO_ONLINE.encode(), today=TODAY)
    assert [(r.received, r.online, r.online_known) for r in rows] == [
        (1234, 0, False),
        (20, 0, False),
    ]
    services.import_dossiers(rows, actor=None, source="motcua.csv")
    db.session.commit()
    stored = db.session.scalars(sa.select(DossierStat).order_by(DossierStat.received)).all()
    assert [(s.received, s.online) for s in stored] == [(20, 0), (1234, 0)]
    # With the column, an empty cell is still a problem of its line.
    text = (
        "Mã trung tâm;Tháng;Tiếp nhận;Đúng hạn;Trễ hạn;Trả lại;Trực tuyến\n07900;11/2026;5;4;1;0;\n"
    )
    try:
        importers.read_dossier_csv(text.encode(), today=TODAY)
    except importers.ImportProblems as exc:
        assert exc.problems[0].startswith("Dòng 2, cột «Trực tuyến»")
    else:
        raise AssertionError("an empty online cell was accepted")


def test_the_upload_page_accepts_it_and_says_online_is_zero(client, auth, users, count_rows):
    auth.login(users["admin"])
    page = client.get("/statistics/import").get_data(as_text=True)
    assert 'id="online-optional"' in page
    response = client.post(
        "/statistics/import",
        data={"kind": "dossiers", "file": (io.BytesIO(NO_ONLINE.encode()), "motcua.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert count_rows(DossierStat) == 2
    after = client.get("/statistics/import").get_data(as_text=True)
    assert "2 dòng đã được nhập" in after
    assert "số hồ sơ tiếp nhận trực tuyến của các tháng này được ghi là 0" in after


def test_the_import_page_states_each_columns_range(client, auth, users):
    auth.login(users["admin"])
    page = client.get("/statistics/import").get_data(as_text=True)

    def cell(kind: str, key: str) -> str:
        row = page.split(f'id="column-{kind}-{key}"', 1)[1].split("</tr>", 1)[0]
        return row.rsplit("<td>", 1)[1].split("</td>", 1)[0]

    for key, maximum in INDEX_GROUPS:
        assert cell("index", key) == f"từ 0 đến {maximum:g} điểm", key
    assert cell("index", "total") == f"từ 0 đến {INDEX_TOTAL_MAX:g} điểm"
    assert cell("dossiers", "received") == "số nguyên từ 0 đến 1.000.000"
    assert cell("dossiers", "online_share") == "từ 0 đến 100 (%)"
    assert cell("dossiers", "month").startswith("MM/YYYY, từ 01/2000")


def test_a_value_above_its_range_names_the_maximum(app, center):
    header = ";".join(c.header for c in importers.INDEX_COLUMNS)
    text = f"{header}\n07900;10/2026;18,5;18;10;8;19,5;16;90\n"
    try:
        importers.read_index_csv(text.encode(), today=TODAY)
    except importers.ImportProblems as exc:
        assert exc.problems == ["Dòng 2, cột «Công khai, minh bạch»: số điểm phải từ 0 đến 18."]
    else:
        raise AssertionError("18,5 points of 18 were accepted")


def test_the_template_states_the_ranges_and_imports_as_downloaded(
    client, auth, users, center, count_rows
):
    auth.login(users["admin"])
    for kind in ("dossiers", "index"):
        body = client.get(f"/statistics/import/template-{kind}.csv").get_data(as_text=True)
        lines = body.lstrip("\ufeff").splitlines()
        assert lines[1].startswith("# mã chính thức của trung tâm;")
        columns = importers.DOSSIER_COLUMNS if kind == "dossiers" else importers.INDEX_COLUMNS
        assert lines[1].split(";")[1:] == [importers.allowed_values(c) for c in columns][1:]
        response = client.post(
            "/statistics/import",
            data={"kind": kind, "file": (io.BytesIO(body.encode()), f"mau-{kind}.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302, kind  # the ranges' line is skipped
    assert count_rows(DossierStat) == 1
    assert count_rows(ServiceIndex) == 1


def test_the_cli_imports_a_file_without_online_and_says_so(runner, center, tmp_path, count_rows):
    path = tmp_path / "motcua.csv"
    path.write_text(NO_ONLINE, encoding="utf-8")
    result = runner.invoke(args=["statistics", "import-dossiers", str(path)])
    assert result.exit_code == 0, result.output
    assert "online dossiers recorded as 0" in result.output
    assert count_rows(DossierStat) == 2
