"""Exports opened with real readers; formula injection; scope; jobs in-process and on RQ."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from portal.assessments.models import Assessment
from portal.audit.models import AuditEntry
from portal.exports import jobs
from portal.exports.models import ExportJob
from portal.extensions import db
from portal.inspections.models import VERDICT_LABELS, CorrectiveAction, Inspection, ReviewItem
from tests.conftest import signal_handlers_restored
from tests.pdftext import printed_text

from .conftest import HOSTILE

VIET_TRI = "Trung tâm Phục vụ hành chính công phường Việt Trì"
NONG_TRANG = "Trung tâm Phục vụ hành chính công phường Nông Trang"


def _start(client, **form):
    return client.post("/exports/start", data=form)


def _xlsx_rows(data: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())  # BOM: Excel shows the diacritics
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_manager_gets_their_centers_ranking_as_excel_at_once(client, auth, users, scored):
    auth.login(users["manager"])
    response = _start(client, kind="rankings", fmt="xlsx", period="2026-Q1", center="07900")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    rows = _xlsx_rows(response.data)
    assert rows[0][:3] == ("Hạng", "Mã", "Tên trung tâm")
    assert [r[2] for r in rows[1:]] == [VIET_TRI]
    assert rows[1][6] == pytest.approx(scored_quality(scored))  # Q from the snapshot
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export.created"))
    assert entry is not None and '"format": "xlsx"' in entry.summary


def scored_quality(scored):
    from portal.rankings import services

    return services.snapshot_for(scored["period"], scored["A"]).quality


def test_a_manager_cannot_export_another_center(client, auth, users, scored):
    auth.login(users["manager"])
    response = _start(client, kind="ratings", fmt="csv", period="2026-Q1", center="07894")
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(ExportJob.id))) == 0
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "export.created")
        )
        == 0
    )


def test_hostile_names_are_text_in_csv_and_xlsx(client, auth, users, scored):
    auth.login(users["inspector"])
    for fmt in ("csv", "xlsx"):
        response = _start(client, kind="rankings", fmt=fmt, period="2026-Q1", center="07901")
        assert response.status_code == 200
        read = _csv_rows if fmt == "csv" else _xlsx_rows
        name = read(response.data)[1][2]
        assert name == "'" + HOSTILE, fmt


def test_the_whole_scope_goes_through_an_in_process_job(client, auth, users, scored):
    auth.login(users["inspector"])
    response = _start(client, kind="rankings", fmt="xlsx", period="2026-Q1", center="")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    jobs.wait_for_threads()
    page = client.get(job_url)
    assert "job-file" in page.get_data(as_text=True), page.get_data(as_text=True)[-1500:]
    job = db.session.scalar(sa.select(ExportJob))
    db.session.refresh(job)
    assert (job.status, job.progress, job.rows) == ("done", 100, 3)
    file = client.get(f"/exports/jobs/{job.id}/file")
    data = file.data
    file.close()
    names = {r[2] for r in _xlsx_rows(data)[1:]}
    assert {VIET_TRI, NONG_TRANG, "'" + HOSTILE} == names
    # Only its owner (or an admin) downloads it.
    auth.logout()
    auth.login(users["manager"])
    assert client.get(f"/exports/jobs/{job.id}/file").status_code == 403
    assert client.get(f"/exports/jobs/{job.id}").status_code == 403


def test_a_center_report_pdf_has_the_exact_name_and_page_numbers(client, auth, users, scored):
    auth.login(users["manager"])
    response = _start(client, kind="center_report", fmt="pdf", period="2026-Q1", center="07900")
    assert response.status_code == 200
    text = "\f".join(printed_text(response.data))
    assert VIET_TRI in text
    # Two pages since the charts (area scores, satisfaction by month) are drawn in it.
    assert "Trang 1/2" in text and "Trang 2/2" in text and "Lập ngày" in text
    assert "Điểm theo lĩnh vực" in text and "Mức độ hài lòng theo tháng" in text
    # The satisfaction chart prints each month with its n under the axis.
    assert "n=250" in text


def test_an_inspection_report_pdf_shows_the_result_the_changes_and_the_actions(
    client, auth, users, scored
):
    """The report a manager files: the verified result, area scores, each criterion the
    inspector adjusted with the reason, the corrective actions, page numbers and the date."""
    inspection = db.session.scalar(
        sa.select(Inspection).join(Assessment).where(Assessment.center_id == scored["A"].id)
    )
    criterion = scored["period"].standard_version.criteria[0]
    db.session.add(
        ReviewItem(
            inspection=inspection,
            criterion=criterion,
            verdict="adjust",
            reason="Niêm yết thiếu 3 thủ tục",
        )
    )
    db.session.add(
        CorrectiveAction(
            inspection=inspection,
            criterion=criterion,
            description="Bổ sung bảng niêm yết thủ tục",
            owner="Phó Giám đốc",
            due_on=date(2026, 12, 31),
        )
    )
    db.session.commit()
    auth.login(users["manager"])
    page = client.get(f"/inspections/assessments/{inspection.assessment_id}")
    assert f"/exports/inspections/{inspection.id}/report.pdf" in page.get_data(as_text=True)
    response = client.get(f"/exports/inspections/{inspection.id}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = " ".join("\f".join(printed_text(response.data)).split())
    with force_locale("vi"):
        vi_adjusted = str(VERDICT_LABELS["adjust"])
    assert VIET_TRI in text and "BÁO CÁO KẾT QUẢ THẨM ĐỊNH" in text
    assert "C thẩm định: 86,10" in text and "C tự đánh giá: 92,00" in text
    assert f"{criterion.code} · {vi_adjusted}" in text
    assert "Lý do: Niêm yết thiếu 3 thủ tục" in text
    assert "Bổ sung bảng niêm yết thủ tục" in text and "hạn 31/12/2026" in text
    assert "Trang 1/" in text and "Lập ngày" in text
    # Exporting it is audited; the manager of another center does not find it.
    assert db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "export.created")
    )
    auth.logout()
    auth.login(users["manager_other"])
    assert client.get(f"/exports/inspections/{inspection.id}/report.pdf").status_code == 404


redis = pytest.importorskip("redis")


@pytest.fixture
def redis_url():
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    return url


def test_the_job_runs_on_rq_with_real_redis(app, client, auth, users, scored, redis_url):
    from rq import Queue, SimpleWorker

    queue_name = f"test-exports-{uuid.uuid4().hex[:8]}"
    app.config.update(EXPORTS_REDIS_URL=redis_url, EXPORTS_QUEUE=queue_name)
    connection = redis.Redis.from_url(redis_url)
    queue = Queue(queue_name, connection=connection)
    try:
        auth.login(users["inspector"])
        response = _start(client, kind="ratings", fmt="csv", period="2026-Q1", center="07900")
        assert response.status_code == 302
        job = db.session.scalar(sa.select(ExportJob))
        assert job.status == "queued" and len(queue) == 1
        db.session.commit()  # the test body holds no lock while the worker runs
        with signal_handlers_restored():  # the worker installs its SIGTERM/SIGINT handlers
            SimpleWorker([queue], connection=connection).work(burst=True)
        db.session.refresh(job)
        assert job.status == "done" and job.started_at and job.finished_at
        file = client.get(f"/exports/jobs/{job.id}/file")
        data = file.data
        file.close()
        rows = _csv_rows(data)
        assert rows[0][:3] == ["Thời gian", "Mã trung tâm", "Trung tâm"]
    finally:
        queue.delete(delete_jobs=True)
