"""What staff see in the documents: the rank with its total, the reason a center is not
standardized, a period's months only, numbering from the settings, the letterhead an
administrator edits, and the old visit-record address."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import sqlalchemy as sa
from flask_babel import force_locale

from portal.audit.models import AuditEntry
from portal.documents import letterhead, services
from portal.documents.content import Facts, Table
from portal.extensions import db
from portal.rankings import services as rankings
from portal.shared.timeutils import today_local

from ..rankings.conftest import add_rollup
from .conftest import inspection_of, pdf_pages, squeeze


def _facts(doc) -> dict[str, str]:
    return {k: v for block in doc.blocks if isinstance(block, Facts) for k, v in block.rows}


def _build_center(scored, key):
    with force_locale("vi"):
        return services.center_report(scored["period"], scored[key])


def test_the_rank_says_out_of_how_many(scored):
    # Two centers of province 25 are verified and ranked; the third has no verified result.
    assert _facts(_build_center(scored, "A"))["Hạng trong tỉnh"] == "1/2"
    assert _facts(_build_center(scored, "B"))["Hạng trong tỉnh"] == "2/2"


def test_not_standardized_gives_the_reason(scored, users):
    inspection = inspection_of(scored["B"])
    version = scored["period"].standard_version
    gate = next(c for c in version.criteria if c.mandatory)
    inspection.gates_ok = False
    inspection.verified_score = 70.0
    inspection.result = {"areas": {}, "criteria": {gate.code: [1.0, 0.5]}}
    rankings.recompute_snapshots(scored["period"], actor=users["admin"])
    db.session.commit()
    text = _facts(_build_center(scored, "B"))["Đạt chuẩn “Một cửa số”"]
    assert text.startswith("Không (")
    assert f"chưa đạt tiêu chí bắt buộc {gate.code}" in text
    assert "C thẩm định 70,00 thấp hơn ngưỡng 80,00" in text
    assert _facts(_build_center(scored, "A"))["Đạt chuẩn “Một cửa số”"] == "Có"


def test_a_period_report_shows_only_the_period_months(scored):
    period = scored["period"]
    before = period.opens_on.replace(day=1) - timedelta(days=40)
    add_rollup(scored["A"], (1, 0, 0, 0, 5), day=before)
    db.session.commit()
    doc = _build_center(scored, "A")
    table = next(b for b in doc.blocks if isinstance(b, Table) and b.headers[0] == "Tháng")
    shown = [row[0] for row in table.rows]
    assert shown, "the period's own month is there"
    assert f"T{before.month}/{before.year}" not in shown
    first = period.opens_on.replace(day=1)
    for label in shown:
        month, year = (int(x) for x in label[1:].split("/"))
        assert first <= first.replace(year=year, month=month) <= today_local()


def test_issuing_takes_the_next_number_and_is_audited(client, auth, users, scored):
    auth.login(users["inspector"])
    url = "/documents/periods/2026-Q1/centers/07900.pdf"
    first = client.post(url)
    second = client.post(url)
    assert "-so-1.pdf" in first.headers["Content-Disposition"]
    assert "-so-2.pdf" in second.headers["Content-Disposition"]
    text = squeeze("".join(p["text"] for p in pdf_pages(second.data)))
    assert squeeze("Số: 02/BC-VP") in text
    assert letterhead.next_numbers()["center_report"] == 3
    issued = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "documents.issued")
    ).all()
    assert len(issued) == 2
    # A copy read (GET) takes no number.
    draft = client.get(url)
    assert "-so-" not in draft.headers["Content-Disposition"]
    assert letterhead.next_numbers()["center_report"] == 3


def test_the_letterhead_comes_from_the_settings(client, auth, users, scored):
    auth.login(users["admin"])
    page = client.get("/documents/settings")
    assert page.status_code == 200
    form = {key: value for key, value in letterhead.load().values.items()}
    form.update({f"next_{kind}": "1" for kind in letterhead.KINDS})
    form.update(place="Việt Trì", signer_name="Hoàng Thị Hoa", next_province_summary="41")
    response = client.post("/documents/settings", data=form)
    assert response.status_code == 302
    assert letterhead.next_numbers()["province_summary"] == 41
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "documents.settings")
    )
    assert entry is not None and "Việt Trì" in entry.summary
    word = client.get("/documents/periods/2026-Q1/provinces/25/summary.docx")
    document = docx.Document(io.BytesIO(word.data))
    text = "\n".join(
        p.text for t in document.tables for r in t.rows for c in r.cells for p in c.paragraphs
    )
    assert "Việt Trì, ngày" in text and "Hoàng Thị Hoa" in text
    issued = client.post("/documents/periods/2026-Q1/provinces/25/summary.pdf")
    assert "-so-41.pdf" in issued.headers["Content-Disposition"]


def test_a_symbol_cannot_be_emptied(client, auth, users, scored):
    auth.login(users["admin"])
    form = dict(letterhead.load().values)
    form.update({f"next_{kind}": "1" for kind in letterhead.KINDS})
    form["symbol_decision"] = ""
    response = client.post("/documents/settings", data=form)
    assert response.status_code == 200
    assert letterhead.load().symbol("decision") == "QĐ-UBND"


def test_the_decision_lists_the_standardized_centers_in_its_annex(client, auth, users, scored):
    auth.login(users["inspector"])
    response = client.get("/documents/periods/2026-Q1/provinces/25/decision.docx")
    document = docx.Document(io.BytesIO(response.data))
    annex = document.tables[-1]
    names = [row.cells[1].text for row in annex.rows[1:]]
    assert names == [scored["A"].name, scored["B"].name]
    assert scored["C"].name not in names


def test_the_visit_record_keeps_its_address_and_shows_every_value(client, auth, users, visit):
    """The record that was broken (values pushed off the page, the motto missing)."""
    auth.login(users["inspector"])
    for url in (f"/inspections/visits/{visit.id}/report.pdf", f"/documents/visits/{visit.id}.pdf"):
        pdf = client.get(url)
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        text = squeeze("".join(p["text"] for p in pdf_pages(pdf.data)))
        assert squeeze("Độc lập - Tự do - Hạnh phúc") in text
        assert squeeze(visit.team) in text and squeeze(visit.summary) in text
        for finding in visit.findings:
            assert squeeze(finding.text) in text


def test_links_on_the_inspection_and_exports_pages(client, auth, users, scored, visit):
    auth.login(users["inspector"])
    inspection = inspection_of(scored["A"])
    page = client.get(f"/inspections/assessments/{inspection.assessment_id}").get_data(True)
    assert f"/documents/inspections/{inspection.id}.pdf" in page
    assert f"/documents/inspections/{inspection.id}.docx" in page
    assert f"/documents/visits/{visit.id}.docx" in page
    exports = client.get("/exports/").get_data(True)
    assert 'id="documents-link"' in exports
    dashboard = client.get("/dashboards/").get_data(True)
    assert 'id="period-documents"' in dashboard
    index = client.get("/documents/").get_data(True)
    assert "/documents/periods/2026-Q1/provinces/25/summary.pdf" in index
    assert "/documents/periods/2026-Q1/provinces/25/decision.docx" in index


def test_a_center_report_by_code_from_the_documents_page(client, auth, users, scored):
    auth.login(users["inspector"])
    response = client.get("/documents/center-report?period=2026-Q1&center=07900&fmt=docx")
    assert response.headers["Location"].endswith("/documents/periods/2026-Q1/centers/07900.docx")
    word = client.get(response.headers["Location"])
    assert scored["A"].name in "\n".join(
        p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs
    )
    bad = client.get("/documents/center-report?period=2026-Q1&center=abc&fmt=pdf")
    assert bad.status_code == 302 and bad.headers["Location"].endswith("/documents/")
    # Another province's inspector is refused by the report itself.
    auth.logout()
    auth.login(users["inspector_other"])
    assert client.get("/documents/periods/2026-Q1/centers/07900.pdf").status_code == 404
