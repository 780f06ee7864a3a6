"""PDF reports (fpdf2, bundled DejaVu font, Vietnamese text): a center's report for a period
and an inspection's report.

A center's figures come from the score snapshot and the monthly rollups of ``portal.rankings``;
an inspection's from the result stored when it was computed. Nothing is recomputed. Charts
are the same server-side SVG as on the dashboards (``shared.charts``), drawn as vectors.
Every page carries "Trang i/n" and the date it was made.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import datetime

from flask_babel import force_locale
from fpdf import FPDF

from ..assessments.models import AssessmentPeriod
from ..centers.models import Center
from ..documents import services as documents
from ..inspections.models import (
    QUEUE_STATUS_LABELS,
    VERDICT_LABELS,
    Inspection,
    QueueStatus,
    Verdict,
)
from ..rankings import services as rankings
from ..ratings.posters import FONT_DIR
from ..shared import charts
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


def _chart(pdf: FPDF, svg: str, width: float) -> None:
    """Draw a ``shared.charts`` SVG at the current position, ``width`` mm wide, in DejaVu."""
    svg = svg.replace(charts.FONT, 'font-family="DejaVu"')
    # fpdf2 skips <title> with a warning: the PDF has its own headings.
    svg_log = logging.getLogger("fpdf.svg")
    level, svg_log.level = svg_log.level, logging.ERROR
    try:
        info = pdf.image(io.BytesIO(svg.encode()), x=pdf.l_margin, y=pdf.get_y(), w=width)
    finally:
        svg_log.setLevel(level)
    pdf.set_y(pdf.get_y() + info.rendered_height + 2)


def _room(pdf: FPDF, height: float) -> None:
    """A new page unless ``height`` mm fit above the bottom margin."""
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()


def _row(pdf: FPDF, cells, widths, *, bold: bool = False) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 9)
    for text, width in zip(cells, widths, strict=True):
        pdf.cell(width, 6, str(text), border=1)
    pdf.ln(6)


def _title(pdf: ReportPDF, title: str, center: Center, subtitle: str) -> float:
    """A new page with the report's title, the center's name and a subtitle; the text width."""
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width, 7, center.name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    line = f"{LEVEL_VI.get(center.level, center.level)} · mã {center.code} · {subtitle}"
    pdf.multi_cell(width, 6, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    return width


def _facts(pdf: FPDF, facts) -> None:
    """``label: value`` lines."""
    for label, value in facts:
        pdf.set_font("DejaVu", "B", 10)
        pdf.cell(80, 6, f"{label}:")
        pdf.set_font("DejaVu", "", 10)
        # Wrapped under its own column: a long value (a reason) is never cut at the edge.
        pdf.multi_cell(0, 6, str(value), new_x="LMARGIN", new_y="NEXT")


def _paragraph(
    pdf: FPDF, width: float, text: str, *, style: str = "", size: int = 9, height: float = 5
) -> None:
    """``text`` in DejaVu, wrapped to ``width`` mm from the left margin."""
    pdf.set_font("DejaVu", style, size)
    pdf.multi_cell(width, height, text, new_x="LMARGIN", new_y="NEXT")


def _none(pdf: FPDF, text: str, size: int = 10) -> None:
    """The one line of an empty section."""
    pdf.set_font("DejaVu", "", size)
    pdf.cell(0, 6, text)
    pdf.ln(6)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, text)
    pdf.ln(7)


def _areas(pdf: FPDF, rows, width: float) -> None:
    """Area scores (0–100, self and verified) as a table and a chart."""
    _heading(pdf, "Điểm theo lĩnh vực")
    widths = (80, 30, 30, 30)
    _row(pdf, ("Lĩnh vực", "Tự đánh giá", "Thẩm định", "Chênh lệch"), widths, bold=True)
    for name, own, verified in rows:
        gap = None if own is None or verified is None else own - verified
        _row(pdf, (name, _num(own), _num(verified), _num(gap)), widths)
    pdf.ln(2)
    _room(pdf, 20 + 11 * len(rows))
    _chart(
        pdf,
        charts.paired_hbar_chart(
            rows,
            title="Điểm theo lĩnh vực",
            no_data="Chưa có điểm theo lĩnh vực.",
            series=("Tự đánh giá", "Thẩm định"),
        ),
        width * 0.8,
    )
    pdf.ln(1)


def _center_pages(pdf: ReportPDF, period: AssessmentPeriod, center: Center) -> bool:
    """The center's pages; False (and no page) when the period has no scores for it yet."""
    snapshot = rankings.snapshot_for(period, center)
    if snapshot is None:
        return False
    with force_locale("vi"):
        _draw_center(pdf, period, center, snapshot)
    return True


def _draw_center(pdf: ReportPDF, period: AssessmentPeriod, center: Center, snapshot) -> None:
    # The rank out of the province's ranked centers ("68/149"), the reason a center is not
    # standardized, and only the period's own months: the same as the official document.
    rank = "–"
    if snapshot.rank is not None:
        rank = f"{snapshot.rank}/{documents.ranked_count(period, center.province_code)}"
    standardized = documents.standardized_text(
        documents.verified_inspection(period, center),
        standardized=snapshot.standardized,
        gates_ok=snapshot.gates_ok,
        verified=snapshot.compliance_verified,
        threshold=rankings.settings_for(period).standardized_threshold,
    )
    width = _title(
        pdf,
        "BÁO CÁO KẾT QUẢ CHUẨN HÓA “MỘT CỬA SỐ”",
        center,
        f"kỳ {period.name} ({period.code}) · {snapshot.state_label}",
    )
    _facts(
        pdf,
        (
            ("Điểm chất lượng Q", _num(snapshot.quality)),
            ("Xếp loại", snapshot.class_label or "Chưa thẩm định"),
            ("Hạng", rank),
            ("C tự đánh giá", _num(snapshot.compliance_self)),
            ("C thẩm định", _num(snapshot.compliance_verified)),
            ("Chênh lệch (tự đánh giá − thẩm định)", _num(snapshot.gap)),
            ("Đạt chuẩn “Một cửa số”", standardized),
            ("Chỉ số hài lòng S", _num(snapshot.satisfaction_index)),
            ("Tỷ lệ hài lòng (CSAT)", _num((snapshot.csat or 0) * 100) + " %"),
            ("Số đánh giá", snapshot.n_ratings),
            ("Hạng hài lòng", snapshot.satisfaction_rank or "–"),
        ),
    )
    pdf.ln(3)
    _areas(
        pdf,
        [
            (area.name_vi, *((snapshot.areas or {}).get(area.code) or (None, None)))
            for area in period.standard_version.areas
        ],
        width,
    )
    _heading(pdf, "Mức độ hài lòng theo tháng")
    widths = (40, 30, 30, 40)
    trend = documents.period_months(center, period)
    _row(pdf, ("Tháng", "Số đánh giá", "CSAT (%)", "Chỉ số S"), widths, bold=True)
    for month, sat in trend:
        csat = None if sat.csat is None else sat.csat * 100
        _row(pdf, (charts.month_label(month), sat.n, _num(csat, 1), _num(sat.index, 1)), widths)
    pdf.ln(2)
    _room(pdf, 75)
    _chart(
        pdf,
        charts.line_chart(
            [
                (charts.month_label(month), None if sat.csat is None else sat.csat * 100, sat.n)
                for month, sat in trend
            ],
            title="Tỷ lệ hài lòng theo tháng (%)",
            no_data="Chưa có đánh giá.",
            unit="%",
        ),
        width * 0.8,
    )
    pdf.ln(1)
    cases = case_summary(center, period.opens_on, period.closes_on)
    _heading(pdf, "Phản ánh, kiến nghị trong kỳ")
    _paragraph(
        pdf,
        width,
        f"Tổng số: {cases['total']}; đã trả lời: {cases['answered']}; đang xử lý: "
        f"{cases['open']}; quá hạn: {cases['overdue']}.",
        size=10,
        height=6,
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


def inspection_report(inspection: Inspection) -> bytes:
    """The report of one inspection: its result, area scores with a chart, the criteria the
    inspector changed or returned, corrective actions and visits."""
    assessment = inspection.assessment
    center, period = assessment.center, assessment.period
    pdf = ReportPDF(f"Báo cáo thẩm định {period.code} — {center.name}")
    with force_locale("vi"):
        _draw_inspection(pdf, inspection)
    return bytes(pdf.output())


def _pct(fraction) -> str:
    return "–" if fraction is None else _num(fraction * 100, 1)


def _draw_inspection(pdf: ReportPDF, inspection: Inspection) -> None:
    assessment = inspection.assessment
    center, period = assessment.center, assessment.period
    version = period.standard_version
    width = _title(
        pdf,
        "BÁO CÁO KẾT QUẢ THẨM ĐỊNH",
        center,
        f"kỳ {period.name} ({period.code}) · bộ tiêu chí {version.version} · "
        f"lần thẩm định {inspection.round}",
    )
    local = lambda value: value.astimezone(DISPLAY_TZ).strftime("%d/%m/%Y %H:%M")  # noqa: E731
    facts = [
        ("Trạng thái", str(QUEUE_STATUS_LABELS[QueueStatus(inspection.status)])),
        ("Bắt đầu thẩm định", local(inspection.started_at)),
        ("C tự đánh giá", _num(inspection.self_score)),
        ("C thẩm định", _num(inspection.verified_score)),
        ("Chênh lệch (tự đánh giá − thẩm định)", _num(inspection.gap)),
        ("Tiêu chí bắt buộc", "Đạt" if inspection.gates_ok else "Chưa đạt"),
        ("Đạt chuẩn “Một cửa số”", "Có" if inspection.standardized else "Không"),
    ]
    if inspection.finalized_at:
        by = f" · {inspection.finalized_by.full_name}" if inspection.finalized_by else ""
        facts.append(("Hoàn tất", local(inspection.finalized_at) + by))
    if inspection.appeal_until:
        facts.append(("Hạn kiến nghị", f"{inspection.appeal_until:%d/%m/%Y}"))
    _facts(pdf, facts)
    pdf.ln(3)
    result = inspection.result or {}
    areas = result.get("areas") or {}
    rows = []
    for area in version.areas:
        own, verified = areas.get(area.code) or (None, None)
        rows.append(
            (
                area.name_vi,
                None if own is None else own * 100,
                None if verified is None else verified * 100,
            )
        )
    _areas(pdf, rows, width)
    criteria = result.get("criteria") or {}
    changed = [
        item
        for item in sorted(inspection.items, key=lambda i: i.criterion.code)
        if item.verdict in (Verdict.ADJUST, Verdict.CORRECT)
    ]
    _room(pdf, 30)
    _heading(pdf, "Tiêu chí được điều chỉnh hoặc yêu cầu bổ sung")
    if not changed:
        _none(pdf, "Không có: mọi tiêu chí được chấp nhận như tự đánh giá.")
    for item in changed:
        own, verified = criteria.get(item.criterion.code) or (None, None)
        _paragraph(
            pdf,
            width,
            f"{item.criterion.code} · {VERDICT_LABELS[Verdict(item.verdict)]} · tự đánh giá "
            f"{_pct(own)} %, thẩm định {_pct(verified)} %",
            style="B",
        )
        _paragraph(pdf, width, item.criterion.text)
        if item.reason:
            _paragraph(pdf, width, f"Lý do: {item.reason}")
        pdf.ln(1)
    _room(pdf, 30)
    pdf.ln(2)
    _heading(pdf, "Biện pháp khắc phục")
    if not inspection.actions:
        _none(pdf, "Không có.")
    for action in inspection.actions:
        _paragraph(
            pdf,
            width,
            f"{action.criterion.code} · {action.description} · phụ trách: {action.owner} · "
            f"hạn {action.due_on:%d/%m/%Y} · {action.status_label}",
        )
    _room(pdf, 20)
    pdf.ln(2)
    _heading(pdf, "Kiểm tra thực tế")
    if not inspection.visits:
        _none(pdf, "Không có.", 9)
    for visit in inspection.visits:
        text = f"Ngày {visit.visited_on:%d/%m/%Y}"
        if visit.team:
            text += f" · đoàn: {visit.team}"
        text += f" · {len(visit.findings)} phát hiện"
        if visit.summary:
            text += f". {visit.summary}"
        _paragraph(pdf, width, text)
