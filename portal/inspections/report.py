"""The on-site visit report (biên bản kiểm tra) as PDF, in Vietnamese whatever the UI language:
it is signed and filed by a Vietnamese administration. fpdf2 with the bundled DejaVu font."""

from __future__ import annotations

import contextlib
import io

from fpdf import FPDF

from ..assessments import evidence as files
from ..ratings.posters import FONT_DIR
from ..shared.timeutils import DISPLAY_TZ, as_aware_utc
from .models import Visit

ANSWERS_VI = {
    "met": "Đạt",
    "partial": "Đạt một phần",
    "not_met": "Không đạt",
    "yes": "Có",
    "no": "Không",
}


def _answer(item) -> str:
    if item is None or item.verdict is None:
        return "chưa kết luận"
    if item.not_applicable:
        return "không áp dụng"
    if item.number is not None:
        return f"{item.number:g}"
    return ANSWERS_VI.get(item.choice or "", "—")


def visit_report(visit: Visit, *, evidence_dir: str) -> bytes:
    inspection = visit.inspection
    assessment = inspection.assessment
    center = assessment.center
    items = {i.criterion_id: i for i in inspection.items}
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Biên bản kiểm tra — {center.name}")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(width, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.multi_cell(width, 6, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(width, 8, "BIÊN BẢN KIỂM TRA THỰC TẾ", align="C")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width, 6, "Chuẩn hóa “Một cửa số”", align="C")
    pdf.ln(4)
    created = as_aware_utc(visit.created_at).astimezone(DISPLAY_TZ)
    for label, value in (
        ("Đơn vị được kiểm tra", center.name),
        ("Kỳ đánh giá", f"{assessment.period.name} ({assessment.period.code})"),
        ("Ngày kiểm tra", visit.visited_on.strftime("%d/%m/%Y")),
        ("Lập lúc", created.strftime("%d/%m/%Y %H:%M")),
    ):
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(50, 7, f"{label}:")
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(width - 50, 7, value)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width, 7, "Thành phần đoàn kiểm tra")
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width, 6, visit.team)
    if visit.summary:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(width, 7, "Nhận xét chung")
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(width, 6, visit.summary)
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width, 7, "Kết quả kiểm tra theo tiêu chí")
    if not visit.findings:
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(width, 6, "Không ghi nhận phát hiện theo từng tiêu chí.")
    for finding in visit.findings:
        criterion = finding.criterion
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(width, 6, f"{criterion.code}. {criterion.text_vi}")
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(width, 5, f"Kết luận hiện tại: {_answer(items.get(criterion.id))}")
        if finding.text:
            pdf.multi_cell(width, 5, f"Phát hiện: {finding.text}")
        evidence = finding.evidence
        if evidence is not None and evidence.is_photo:
            with contextlib.suppress(OSError, ValueError, RuntimeError):
                path = files.file_path(evidence_dir, evidence.storage_name)
                data = path.read_bytes()
                if pdf.get_y() > pdf.h - 70:
                    pdf.add_page()
                pdf.image(io.BytesIO(data), x=pdf.l_margin, y=pdf.get_y() + 1, h=50)
                pdf.set_y(pdf.get_y() + 53)
        pdf.ln(2)
    pdf.ln(8)
    pdf.set_font("DejaVu", "B", 11)
    half = width / 2
    pdf.cell(half, 6, "ĐẠI DIỆN ĐƠN VỊ", align="C")
    pdf.cell(half, 6, "TRƯỞNG ĐOÀN KIỂM TRA", align="C")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(half, 6, "(Ký, ghi rõ họ tên)", align="C")
    pdf.cell(half, 6, "(Ký, ghi rõ họ tên)", align="C")
    return bytes(pdf.output())
