"""The documents' contents from the portal's data, in Vietnamese whatever the UI language
(they are filed by a Vietnamese administration): the on-site visit record, an inspection's
report and a center's report. The province summary and the draft decision are in
:mod:`.summary`. Each builder returns a :class:`content.Document`; ``render`` lays it out
as PDF or Word. Nothing is recomputed: figures come from the stored inspection results and
score snapshots.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ..assessments import evidence as evidence_files
from ..assessments.models import Assessment, AssessmentPeriod
from ..centers.models import Center
from ..exports.services import case_summary
from ..extensions import db
from ..inspections.models import VERDICT_LABELS, Inspection, Verdict, Visit
from ..rankings import services as rankings
from ..rankings.models import ScoreSnapshot
from ..scoring import rules
from ..shared import charts
from ..shared.errors import PortalError
from ..shared.timeutils import DISPLAY_TZ, as_aware_utc, today_local
from . import layout_docx, layout_pdf
from .content import Chart, Document, Facts, Heading, Paragraph, Photo, Signer, Table
from .letterhead import Letterhead, load

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

ANSWERS_VI = {
    "met": "Đạt",
    "partial": "Đạt một phần",
    "not_met": "Không đạt",
    "yes": "Có",
    "no": "Không",
}

LEVEL_VI = {"province": "cấp tỉnh", "commune": "cấp xã"}


class DocumentError(PortalError):
    """Nothing to report (no scores yet for the center or the period)."""


def render(doc: Document, fmt: str) -> bytes:
    return layout_pdf.render(doc) if fmt == "pdf" else layout_docx.render(doc)


def num(value, digits: int = 2) -> str:
    """A number the Vietnamese way (1.234,56); "–" for none."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def base(
    kind: str,
    title: str,
    subtitle: str,
    *,
    letterhead: Letterhead | None = None,
    number: int | None = None,
    day: date | None = None,
    filename: str,
) -> Document:
    lh = letterhead or load()
    return Document(
        kind=kind,
        parent_agency=lh.parent_agency,
        agency=lh.agency,
        symbol=lh.symbol(kind),
        number=number,
        place=lh.place,
        day=day or today_local(),
        title=title,
        subtitle=subtitle,
        recipients=lh.recipient_lines(kind),
        signers=[Signer("", lh.signer_title, lh.signer_name)],
        filename=filename,
    )


def _local(value) -> str:
    return as_aware_utc(value).astimezone(DISPLAY_TZ).strftime("%d/%m/%Y %H:%M")


def _answer(item) -> str:
    if item is None or item.verdict is None:
        return "chưa kết luận"
    if item.not_applicable:
        return "không áp dụng"
    if item.number is not None:
        return f"{item.number:g}"
    return ANSWERS_VI.get(item.choice or "", "—")


def not_standardized_reasons(
    inspection: Inspection | None, *, gates_ok, verified, threshold: float
) -> list[str]:
    """Why a center is not "đạt chuẩn": each mandatory criterion not fully met (from the
    inspection's stored result) and C_verified below the period's threshold."""
    reasons = []
    if inspection is None:
        return ["chưa có kết quả thẩm định"]
    if gates_ok is False:
        criteria = (inspection.result or {}).get("criteria") or {}
        version = inspection.assessment.period.standard_version
        failed = [
            c.code
            for c in version.criteria
            if c.mandatory and (criteria.get(c.code) or [None, None])[1] not in (None, 1, 1.0)
        ]
        if failed:
            reasons.append("chưa đạt tiêu chí bắt buộc " + ", ".join(failed))
        else:
            reasons.append("chưa đạt tiêu chí bắt buộc")
    if verified is None or rules.shown(verified) < rules.shown(threshold):
        reasons.append(f"C thẩm định {num(verified)} thấp hơn ngưỡng {num(threshold)}")
    return reasons


def standardized_text(inspection, *, standardized: bool, gates_ok, verified, threshold) -> str:
    if standardized:
        return "Có"
    reasons = not_standardized_reasons(
        inspection, gates_ok=gates_ok, verified=verified, threshold=threshold
    )
    return "Không (" + "; ".join(reasons) + ")"


# The on-site visit record ------------------------------------------------------------------


def _photos(finding, evidence_dir: str | None) -> list[Photo]:
    """The finding's photo, when it has one and its file can be read."""
    evidence = finding.evidence
    if evidence_dir is None or evidence is None or not evidence.is_photo:
        return []
    try:
        data = evidence_files.file_path(evidence_dir, evidence.storage_name).read_bytes()
    except (OSError, ValueError):
        return []
    return [Photo(data, f"Ảnh kèm phát hiện tại tiêu chí {finding.criterion.code}")]


def visit_record(
    visit: Visit, *, letterhead: Letterhead | None = None, evidence_dir: str | None = None
) -> Document:
    inspection = visit.inspection
    assessment = inspection.assessment
    center, period = assessment.center, assessment.period
    items = {i.criterion_id: i for i in inspection.items}
    lh = letterhead or load()
    doc = base(
        "visit_record",
        "BIÊN BẢN KIỂM TRA THỰC TẾ",
        "Về việc chuẩn hóa “Một cửa số” tại Trung tâm Phục vụ hành chính công",
        letterhead=lh,
        day=visit.visited_on,
        filename=f"bien-ban-kiem-tra-{visit.id}",
    )
    doc.blocks = [
        Paragraph(
            f"Hôm nay, ngày {visit.visited_on:%d/%m/%Y}, đoàn kiểm tra tiến hành kiểm tra thực tế "
            f"tại {center.name} (mã {center.code}), kỳ đánh giá {period.name} ({period.code})."
        ),
        Facts(
            [
                ("Đơn vị được kiểm tra", center.name),
                ("Kỳ đánh giá", f"{period.name} ({period.code})"),
                ("Ngày kiểm tra", f"{visit.visited_on:%d/%m/%Y}"),
                ("Lập lúc", _local(visit.created_at)),
            ]
        ),
        Heading("I. Thành phần đoàn kiểm tra"),
        Paragraph(visit.team or "—"),
    ]
    if visit.summary:
        doc.blocks += [Heading("II. Nhận xét chung"), Paragraph(visit.summary)]
    doc.blocks.append(Heading("III. Kết quả kiểm tra theo tiêu chí"))
    if not visit.findings:
        doc.blocks.append(Paragraph("Không ghi nhận phát hiện theo từng tiêu chí."))
    for finding in visit.findings:
        criterion = finding.criterion
        doc.blocks.append(Paragraph(f"{criterion.code}. {criterion.text_vi}", bold=True))
        rows = [("Kết luận hiện tại", _answer(items.get(criterion.id)))]
        if finding.text:
            rows.append(("Phát hiện", finding.text))
        doc.blocks.append(Facts(rows))
        doc.blocks += _photos(finding, evidence_dir)
    doc.blocks.append(
        Paragraph(
            "Biên bản được lập thành 02 bản có giá trị như nhau, đơn vị được kiểm tra giữ "
            "01 bản, đoàn kiểm tra giữ 01 bản.",
            italic=True,
        )
    )
    leader = visit.created_by.full_name if visit.created_by else ""
    doc.signers = [
        Signer("", "Đại diện đơn vị được kiểm tra", ""),
        Signer("", "Trưởng đoàn kiểm tra", leader),
    ]
    doc.recipients = []
    return doc


# The inspection report -----------------------------------------------------------------------


def _area_rows(version, areas: dict, scale: float) -> list[tuple[str, float | None, float | None]]:
    rows = []
    for area in version.areas:
        own, verified = areas.get(area.code) or (None, None)
        rows.append(
            (
                area.name_vi,
                None if own is None else own * scale,
                None if verified is None else verified * scale,
            )
        )
    return rows


def _area_blocks(rows) -> list:
    table = Table(
        ["Lĩnh vực", "Tự đánh giá", "Thẩm định", "Chênh lệch"],
        [
            [name, num(own), num(ver), num(None if own is None or ver is None else own - ver)]
            for name, own, ver in rows
        ],
        [70, 25, 25, 25],
    )
    chart = charts.paired_hbar_chart(
        rows,
        title="Điểm theo lĩnh vực",
        no_data="Chưa có điểm theo lĩnh vực.",
        series=("Tự đánh giá", "Thẩm định"),
        chart_id="areas",
    )
    return [Heading("Điểm theo lĩnh vực (0–100)"), table, Chart(chart)]


def inspection_report(inspection: Inspection, *, letterhead: Letterhead | None = None) -> Document:
    assessment = inspection.assessment
    center, period = assessment.center, assessment.period
    version = period.standard_version
    threshold = rankings.settings_for(period).standardized_threshold
    doc = base(
        "inspection_report",
        "BÁO CÁO KẾT QUẢ THẨM ĐỊNH",
        f"Chuẩn hóa “Một cửa số” tại {center.name}",
        letterhead=letterhead,
        filename=f"bao-cao-tham-dinh-{period.code}-{center.code}",
    )
    facts = [
        ("Đơn vị", f"{center.name} (mã {center.code})"),
        ("Kỳ đánh giá", f"{period.name} ({period.code}), bộ tiêu chí {version.version}"),
        ("Lần thẩm định", str(inspection.round)),
        ("Bắt đầu thẩm định", _local(inspection.started_at)),
        ("C tự đánh giá", num(inspection.self_score)),
        ("C thẩm định", num(inspection.verified_score)),
        ("Chênh lệch (tự đánh giá − thẩm định)", num(inspection.gap)),
        ("Tiêu chí bắt buộc", "Đạt" if inspection.gates_ok else "Chưa đạt"),
        (
            "Đạt chuẩn “Một cửa số”",
            standardized_text(
                inspection,
                standardized=bool(inspection.standardized),
                gates_ok=inspection.gates_ok,
                verified=inspection.verified_score,
                threshold=threshold,
            ),
        ),
    ]
    if inspection.finalized_at:
        by = f", {inspection.finalized_by.full_name}" if inspection.finalized_by else ""
        facts.append(("Hoàn tất", _local(inspection.finalized_at) + by))
    if inspection.appeal_until:
        facts.append(("Hạn kiến nghị", f"{inspection.appeal_until:%d/%m/%Y}"))
    doc.blocks = [Heading("I. Kết quả chung"), Facts(facts)]
    result = inspection.result or {}
    doc.blocks += _area_blocks(_area_rows(version, result.get("areas") or {}, 100))
    criteria = result.get("criteria") or {}
    changed = [
        item
        for item in sorted(inspection.items, key=lambda i: i.criterion.code)
        if item.verdict in (Verdict.ADJUST, Verdict.CORRECT)
    ]
    doc.blocks.append(Heading("II. Tiêu chí được điều chỉnh hoặc yêu cầu bổ sung"))
    if not changed:
        doc.blocks.append(Paragraph("Không có: mọi tiêu chí được chấp nhận như tự đánh giá."))
    else:
        rows = []
        for item in changed:
            own, verified = criteria.get(item.criterion.code) or (None, None)
            rows.append(
                [
                    item.criterion.code,
                    item.criterion.text_vi,
                    str(VERDICT_LABELS[Verdict(item.verdict)]),
                    f"{num(None if own is None else own * 100, 1)} → "
                    f"{num(None if verified is None else verified * 100, 1)}",
                    item.reason or "—",
                ]
            )
        doc.blocks.append(
            Table(["Mã", "Tiêu chí", "Kết luận", "Điểm (%)", "Lý do"], rows, [12, 50, 20, 22, 46])
        )
    doc.blocks.append(Heading("III. Biện pháp khắc phục"))
    if not inspection.actions:
        doc.blocks.append(Paragraph("Không có."))
    else:
        doc.blocks.append(
            Table(
                ["Mã", "Nội dung", "Phụ trách", "Hạn", "Trạng thái"],
                [
                    [
                        a.criterion.code,
                        a.description,
                        a.owner,
                        f"{a.due_on:%d/%m/%Y}",
                        str(a.status_label),
                    ]
                    for a in inspection.actions
                ],
                [12, 60, 30, 20, 28],
            )
        )
    doc.blocks.append(Heading("IV. Kiểm tra thực tế"))
    if not inspection.visits:
        doc.blocks.append(Paragraph("Không có."))
    for visit in inspection.visits:
        text = f"Ngày {visit.visited_on:%d/%m/%Y}; đoàn: {visit.team or '—'}; "
        text += f"{len(visit.findings)} phát hiện."
        if visit.summary:
            text += f" {visit.summary}"
        doc.blocks.append(Paragraph(text))
    return doc


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


def ranked_count(period: AssessmentPeriod, province_code: int) -> int:
    """How many centers of the province have a rank in the period (the "/149" of "68/149")."""
    return db.session.scalar(
        sa.select(sa.func.count(ScoreSnapshot.id))
        .join(Center, Center.id == ScoreSnapshot.center_id)
        .where(
            ScoreSnapshot.period_id == period.id,
            Center.province_code == province_code,
            ScoreSnapshot.rank.is_not(None),
        )
    )


def period_months(center: Center, period: AssessmentPeriod):
    """Satisfaction per month inside the period's dates only (never past its end)."""
    last = min(period.closes_on, today_local())
    trend = rankings.monthly_trend(center, months=12, today=last)
    first = period.opens_on.replace(day=1)
    return [(month, sat) for month, sat in trend if first <= month <= last]


def center_report(
    period: AssessmentPeriod, center: Center, *, letterhead: Letterhead | None = None
) -> Document:
    snapshot = rankings.snapshot_for(period, center)
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
        rank = f"{snapshot.rank}/{ranked_count(period, center.province_code)}"
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
                ("Trạng thái kết quả", snapshot.state_label),
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
    doc.blocks += _area_blocks(rows)
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
