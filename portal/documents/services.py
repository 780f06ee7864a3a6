"""The documents' contents from the portal's data, in Vietnamese whatever the UI language
(they are filed by a Vietnamese administration). Each builder returns a
:class:`content.Document`; ``render`` lays it out as PDF or Word. Nothing is recomputed:
figures come from the stored inspection results and score snapshots.

The shared parts are in :mod:`.common`, the visit record and inspection report in
:mod:`.records`, the province summary and draft decision in :mod:`.summary`; this module
builds the center report and is the one entry point the pages use.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..assessments.models import Assessment, AssessmentPeriod
from ..centers.models import Center
from ..exports.services import case_summary
from ..extensions import db
from ..inspections.models import Inspection
from ..rankings import services as rankings
from ..shared import charts
from ..shared.timeutils import today_local
from .common import (  # noqa: F401 - the entry point of the documents' pages
    FORMATS,
    LEVEL_VI,
    DocumentError,
    base,
    num,
    render,
    standardized_text,
)
from .content import Chart, Document, Facts, Heading, Paragraph, Table
from .letterhead import Letterhead
from .records import area_blocks, inspection_report, visit_record  # noqa: F401

# The center report ------------------------------------------------------------------------------


def verified_inspection(period: AssessmentPeriod, center: Center) -> Inspection | None:
    return db.session.scalar(
        sa.select(Inspection)
        .join(Assessment, Assessment.id == Inspection.assessment_id)
        .where(Assessment.period_id == period.id, Assessment.center_id == center.id)
        .where(Inspection.verified_score.is_not(None))
        .order_by(Inspection.id.desc())
        .limit(1)
    )


def ranked_count(period: AssessmentPeriod, province_code: int, revision=None) -> int:
    """How many centers of the province have a rank in the period (the "/149" of "68/149"),
    in the same published revision as the center's row (else the live snapshots)."""
    rows = rankings.ranking_query(period, revision=revision, province_code=province_code)
    return sum(1 for row in db.session.scalars(rows) if row.rank is not None)


def period_months(center: Center, period: AssessmentPeriod):
    """Satisfaction per month inside the period's dates only (never past its end)."""
    last = min(period.closes_on, today_local())
    trend = rankings.monthly_trend(center, months=12, today=last)
    first = period.opens_on.replace(day=1)
    return [(month, sat) for month, sat in trend if first <= month <= last]


def _result_state(period: AssessmentPeriod, snapshot, revision) -> str:
    """The row's state, with the published revision it comes from (as the exports say it)."""
    status = rankings.period_status(period, revision)
    if not status.revision:
        return snapshot.state_label
    kind = "chính thức" if status.final else "tạm tính"
    return (
        f"{snapshot.state_label}; kết quả {kind}, công bố lần {status.revision} "
        f"(số liệu đến {status.cut_off:%d/%m/%Y})"
    )


def center_report(
    period: AssessmentPeriod,
    center: Center,
    *,
    letterhead: Letterhead | None = None,
    revision=None,
) -> Document:
    """The center's report from ``revision`` of the period's published results (by default
    the latest; a period never published: its live snapshots)."""
    snapshot = rankings.snapshot_for(period, center, revision)
    if snapshot is None:
        raise DocumentError("no snapshot")
    threshold = rankings.settings_for(period).standardized_threshold
    inspection = verified_inspection(period, center)
    doc = base(
        "center_report",
        "BÁO CÁO KẾT QUẢ CHUẨN HÓA “MỘT CỬA SỐ”",
        f"{center.name}, kỳ {period.name}",
        letterhead=letterhead,
        filename=f"bao-cao-{period.code}-{center.code}",
    )
    rank = "–"
    if snapshot.rank is not None:
        rank = f"{snapshot.rank}/{ranked_count(period, center.province_code, revision)}"
    doc.blocks = [
        Facts(
            [
                (
                    "Đơn vị",
                    f"{center.name} ({LEVEL_VI.get(center.level, center.level)}, mã {center.code})",
                ),
                (
                    "Kỳ đánh giá",
                    f"{period.name} ({period.code}), từ {period.opens_on:%d/%m/%Y} "
                    f"đến {period.closes_on:%d/%m/%Y}",
                ),
                ("Trạng thái kết quả", _result_state(period, snapshot, revision)),
            ]
        ),
        Heading("I. Kết quả"),
        Facts(
            [
                ("Điểm chất lượng Q", num(snapshot.quality)),
                ("Xếp loại", snapshot.class_label or "Chưa thẩm định"),
                ("Hạng trong tỉnh", rank),
                ("C tự đánh giá", num(snapshot.compliance_self)),
                ("C thẩm định", num(snapshot.compliance_verified)),
                ("Chênh lệch (tự đánh giá − thẩm định)", num(snapshot.gap)),
                (
                    "Đạt chuẩn “Một cửa số”",
                    standardized_text(
                        inspection,
                        standardized=snapshot.standardized,
                        gates_ok=snapshot.gates_ok,
                        verified=snapshot.compliance_verified,
                        threshold=threshold,
                    ),
                ),
                ("Chỉ số hài lòng S", num(snapshot.satisfaction_index)),
                ("Tỷ lệ hài lòng (CSAT)", num((snapshot.csat or 0) * 100) + " %"),
                ("Số đánh giá", str(snapshot.n_ratings)),
            ]
        ),
    ]
    rows = [
        (area.name_vi, *((snapshot.areas or {}).get(area.code) or (None, None)))
        for area in period.standard_version.areas
    ]
    doc.blocks += area_blocks(rows)
    months = period_months(center, period)
    doc.blocks.append(Heading("II. Mức độ hài lòng theo tháng trong kỳ"))
    doc.blocks.append(
        Table(
            ["Tháng", "Số đánh giá", "CSAT (%)", "Chỉ số S"],
            [
                [
                    f"T{m.month}/{m.year}",
                    str(sat.n),
                    num(None if sat.csat is None else sat.csat * 100, 1),
                    num(sat.index, 1),
                ]
                for m, sat in months
            ],
            [30, 25, 25, 25],
        )
    )
    doc.blocks.append(
        Chart(
            charts.line_chart(
                [
                    (f"T{m.month}/{m.year}", None if sat.csat is None else sat.csat * 100, sat.n)
                    for m, sat in months
                ],
                title="Tỷ lệ hài lòng theo tháng (%)",
                no_data="Chưa có đánh giá trong kỳ.",
                chart_id="months",
            )
        )
    )
    cases = case_summary(center, period.opens_on, period.closes_on)
    doc.blocks += [
        Heading("III. Phản ánh, kiến nghị trong kỳ"),
        Paragraph(
            f"Tổng số: {cases['total']}; đã trả lời: {cases['answered']}; đang xử lý: "
            f"{cases['open']}; quá hạn: {cases['overdue']}."
        ),
    ]
    return doc
