"""CSV imports: refused with the line and the field and nothing written; good files round-trip;
re-import replaces; the CLI commands; the 766 index never changes Q."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.extensions import db
from portal.statistics import importers, services
from portal.statistics.models import DossierStat, ServiceIndex

TODAY = date(2026, 12, 2)
HEADER = "Mã trung tâm;Quầy;Tháng;Tiếp nhận;Đúng hạn;Trễ hạn;Trả lại;Trực tuyến\n"
GOOD = HEADER + "07900;1;11/2026;1.234;1.100;34;56;800\n07900;2;11/2026;20;18;1;1;5\n"
INDEX_HEADER = (
    "Mã trung tâm;Tháng;Công khai, minh bạch;Tiến độ giải quyết;Dịch vụ công trực tuyến;"
    "Thanh toán trực tuyến;Số hóa hồ sơ;Mức độ hài lòng;Tổng điểm\n"
)
INDEX_GOOD = INDEX_HEADER + "07900;10/2026;16,5;18;10,2;8;19,5;16;88,2\n"


def _problems(text, reader=importers.read_dossier_csv):
    with pytest.raises(importers.ImportProblems) as exc:
        reader(text if isinstance(text, bytes) else text.encode("utf-8"), today=TODAY)
    return exc.value.problems


def test_a_good_file_round_trips(app, center, count_rows):
    rows = importers.read_dossier_csv(("\ufeff" + GOOD).encode("utf-8"), today=TODAY)
    services.import_dossiers(rows, actor=None, source="motcua-11.csv")
    db.session.commit()
    stats = db.session.scalars(sa.select(DossierStat).order_by(DossierStat.received)).all()
    assert [
        (s.counter.number, s.received, s.on_time, s.late, s.returned, s.online) for s in stats
    ] == [
        (2, 20, 18, 1, 1, 5),
        (1, 1234, 1100, 34, 56, 800),
    ]
    assert stats[0].month == date(2026, 11, 1) and stats[0].source == "motcua-11.csv"


def test_comma_separator_english_header_and_percent_share(app, center):
    text = (
        "center,counter,month,received,on_time,late,returned,online_share\n"
        '07900,1,2026-11,200,150,10,5,"12,5%"\n'
    )
    (row,) = importers.read_dossier_csv(text.encode(), today=TODAY)
    assert (row.received, row.online) == (200, 25)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("99999;1;11/2026;10;5;1;0;1", "Dòng 2, cột «Mã trung tâm»"),
        ("07900;1;11/2026;-3;0;0;0;0", "Dòng 2, cột «Tiếp nhận»: số không được âm"),
        ("07900;1;11/2026;10;8;5;0;1", "Dòng 2, cột «Đúng hạn»"),
        ("07900;1;01/2027;10;5;1;0;1", "Dòng 2, cột «Tháng»: tháng ở tương lai"),
        ("07900;9;11/2026;10;5;1;0;1", "Dòng 2, cột «Quầy»"),
        ("07900;1;11/2026;mười;5;1;0;1", "Dòng 2, cột «Tiếp nhận»"),
        ("07900;1;11/2026;10;5;1;0;11", "Dòng 2, cột «Trực tuyến»"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_imported(app, center, count_rows, line, expected):
    problems = _problems(HEADER + line + "\n")
    assert any(p.startswith(expected) for p in problems), problems
    assert count_rows(DossierStat) == 0


def test_the_line_number_counts_the_header(app, center):
    problems = _problems(GOOD + "07900;1;10/2026;10;5;1;0;1\n07900;1;10/2026;5;8;0;0;0\n")
    assert problems == [
        "Dòng 5, cột «Đúng hạn»: số đúng hạn + trễ hạn (8) lớn hơn số tiếp nhận (5).",
        "Dòng 5, cột «Mã trung tâm»: trùng trung tâm, quầy và tháng với dòng 4.",
    ]


def test_bad_header_and_wrong_encoding(app, center):
    assert _problems("Mã trung tâm;Tháng;Tiếp nhận\n07900;11/2026;3\n")[0].startswith("Dòng 1")
    assert "UTF-8" in _problems(GOOD.encode("cp1258", errors="replace"))[0]


def test_the_upload_page_imports_nothing_on_an_error(client, auth, users, count_rows):
    import io

    auth.login(users["admin"])
    bad = GOOD + "07900;1;10/2026;5;8;0;0;0\n"
    page = client.post(
        "/statistics/import",
        data={"kind": "dossiers", "file": (io.BytesIO(bad.encode()), "bad.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 422
    assert "Dòng 4, cột «Đúng hạn»" in page.get_data(as_text=True)
    assert count_rows(DossierStat) == 0
    ok = client.post(
        "/statistics/import",
        data={"kind": "dossiers", "file": (io.BytesIO(GOOD.encode()), "good.csv")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    assert "2 dòng đã được nhập" in client.get("/statistics/import").get_data(as_text=True)
    assert count_rows(DossierStat) == 2


def test_reimporting_a_month_replaces_it_and_is_audited(app, center, count_rows):
    for _ in range(2):
        rows = importers.read_dossier_csv(GOOD.encode(), today=TODAY)
        result = services.import_dossiers(rows, actor=None, source="a.csv")
        db.session.commit()
    assert count_rows(DossierStat) == 2 and result.replaced == 2
    smaller = HEADER + "07900;1;11/2026;10;5;1;0;1\n"
    services.import_dossiers(
        importers.read_dossier_csv(smaller.encode(), today=TODAY), actor=None, source="b.csv"
    )
    db.session.commit()
    assert [s.received for s in db.session.scalars(sa.select(DossierStat))] == [10]
    entry = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "statistics.dossiers_imported")
        .order_by(AuditEntry.id.desc())
    ).first()
    assert '"replaced": 2' in entry.summary and '"rows": 1' in entry.summary


def test_index_import_and_its_errors(app, center, count_rows):
    (row,) = importers.read_index_csv(INDEX_GOOD.encode(), today=TODAY)
    assert row.total == 88.2 and row.values["publicity"] == 16.5
    over = INDEX_HEADER + "07900;10/2026;19;18;10,2;8;19,5;16;90,7\n"
    assert _problems(over, importers.read_index_csv)[0].startswith(
        "Dòng 2, cột «Công khai, minh bạch»: số điểm phải từ 0 đến 18"
    )
    wrong_total = INDEX_HEADER + "07900;10/2026;16,5;18;10,2;8;19,5;16;80\n"
    assert _problems(wrong_total, importers.read_index_csv)[0].startswith("Dòng 2, cột «Tổng điểm»")
    assert count_rows(ServiceIndex) == 0


def test_cli_imports_and_refuses(runner, center, tmp_path, count_rows):
    bad = tmp_path / "bad.csv"
    bad.write_text(INDEX_HEADER + "07900;10/2026;16,5;18;10,2;8;19,5;16;180\n", encoding="utf-8")
    result = runner.invoke(args=["statistics", "import-766", str(bad)])
    assert result.exit_code == 1 and "Dòng 2, cột «Tổng điểm»" in result.output
    assert count_rows(ServiceIndex) == 0
    good = tmp_path / "good.csv"
    good.write_text(INDEX_GOOD, encoding="utf-8")
    result = runner.invoke(args=["statistics", "import-766", str(good)])
    assert result.exit_code == 0, result.output
    assert "1 rows imported" in result.output
    assert count_rows(ServiceIndex) == 1
