"""The PDF report of a center for a period (fpdf2, bundled DejaVu font, Vietnamese text).

Figures come from the score snapshot and the monthly rollups of ``portal.rankings``;
nothing is recomputed. Every page carries "Trang i/n" and the date it was made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask_babel import force_locale
from fpdf import FPDF

from ..assessments.models import AssessmentPeriod
from ..centers.models import Center
from ..rankings import services as rankings
from ..ratings.posters import FONT_DIR
from ..shared.timeutils import DISPLAY_TZ
from .services import LEVEL_VI, ExportError, case_summary


class ReportPDF(FPDF):
    """A4 with the DejaVu font, "Trang i/n" and the date in every footer."""

    def __init__(self, title: str):
        super().__init__(format="A4", unit="mm")
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.alias_nb_pages("{nb}")
        self.set_auto_page_break(True, margin=18)
        self.made_on = datetime.now(DISPLAY_TZ).strftime("%d/%m/%Y %H:%M")

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 8)
        self.cell(0, 5, f"Lập ngày {self.made_on}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="R")


def _num(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def _row(pdf: FPDF, cells, widths, *, bold: bool = False) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 9)
    for text, width in zip(cells, widths, strict=True):
        pdf.cell(width, 6, str(text), border=1)
    pdf.ln(6)


def _center_pages(pdf: ReportPDF, period: AssessmentPeriod, center: Center) -> bool:
    """The center's pages; False (and no page) when the period has no scores for it yet."""
    snapshot = rankings.snapshot_for(period, center)
    if snapshot is None:
        return False
    with force_locale("vi"):
        _draw_center(pdf, period, center, snapshot)
    return True


def _draw_center(pdf: ReportPDF, period: AssessmentPeriod, center: Center, snapshot) -> None:
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(
        width, 8, "BÁO CÁO KẾT QUẢ CHUẨN HÓA “MỘT CỬA SỐ”", align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width, 7, center.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        width,
        6,
        f"{LEVEL_VI.get(center.level, center.level)} · mã {center.code} · "
        f"kỳ {period.name} ({period.code}) · {snapshot.state_label}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for label, value in (
        ("Điểm chất lượng Q", _num(snapshot.quality)),
        ("Xếp loại", snapshot.class_label or "Chưa thẩm định"),
        ("Hạng", snapshot.rank if snapshot.rank is not None else "–"),
        ("C tự đánh giá", _num(snapshot.compliance_self)),
        ("C thẩm định", _num(snapshot.compliance_verified)),
        ("Chênh lệch (tự đánh giá − thẩm định)", _num(snapshot.gap)),
        ("Đạt chuẩn “Một cửa số”", "Có" if snapshot.standardized else "Không"),
        ("Chỉ số hài lòng S", _num(snapshot.satisfaction_index)),
        ("Tỷ lệ hài lòng (CSAT)", _num((snapshot.csat or 0) * 100) + " %"),
        ("Số đánh giá", snapshot.n_ratings),
        ("Hạng hài lòng", snapshot.satisfaction_rank or "–"),
    ):
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(80, 6, f"{label}:")
        pdf.set_font("DejaVu", "", 10)
        pdf.cell(0, 6, str(value))
        pdf.ln(6)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "Điểm theo lĩnh vực")
    pdf.ln(7)
    widths = (80, 30, 30, 30)
    _row(pdf, ("Lĩnh vực", "Tự đánh giá", "Thẩm định", "Chênh lệch"), widths, bold=True)
    for area in period.standard_version.areas:
        own, verified = (snapshot.areas or {}).get(area.code, [None, None])
        gap = None if own is None or verified is None else own - verified
        _row(pdf, (area.name_vi, _num(own), _num(verified), _num(gap)), widths)
        if verified is not None:  # a bar of the verified area score, 0–100
            y = pdf.get_y() - 4.5
            pdf.set_fill_color(31, 119, 180)
            pdf.rect(pdf.l_margin + width - 38, y, max(0.5, 36 * verified / 100), 3, "F")
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "Mức độ hài lòng theo tháng")
    pdf.ln(7)
    widths = (40, 30, 30, 40)
    _row(pdf, ("Tháng", "Số đánh giá", "CSAT (%)", "Chỉ số S"), widths, bold=True)
    for month, sat in rankings.monthly_trend(center):
        csat = None if sat.csat is None else sat.csat * 100
        _row(pdf, (f"{month:%m/%Y}", sat.n, _num(csat, 1), _num(sat.index, 1)), widths)
    pdf.ln(3)
    cases = case_summary(center, period.opens_on, period.closes_on)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "Phản ánh, kiến nghị trong kỳ")
    pdf.ln(7)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        width,
        6,
        f"Tổng số: {cases['total']}; đã trả lời: {cases['answered']}; đang xử lý: "
        f"{cases['open']}; quá hạn: {cases['overdue']}.",
        new_x="LMARGIN",
        new_y="NEXT",
    )


def center_reports(
    period: AssessmentPeriod,
    centers: list[Center],
    *,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One report per center with scores in the period, in one PDF.

    A center the period has not scored yet (no snapshot) gets no pages; a scope in which
    no center has scores is an ``ExportError`` (nothing to report).
    """
    title = centers[0].name if len(centers) == 1 else f"{len(centers)} trung tâm"
    pdf = ReportPDF(f"Báo cáo {period.code} — {title}")
    drawn = 0
    for i, center in enumerate(centers, start=1):
        drawn += _center_pages(pdf, period, center)
        if progress and i % 10 == 0:
            progress(max(1, min(99, i * 100 // len(centers))))
    if not drawn:
        raise ExportError("no snapshot")
    return bytes(pdf.output())
