"""The documents of one inspection: the on-site visit record (biên bản) and the
inspection report, from the stored visit, findings, verdicts and result."""

from __future__ import annotations

from ..assessments import evidence as evidence_files
from ..inspections.models import VERDICT_LABELS, Inspection, Verdict, Visit
from ..rankings import services as rankings
from ..shared import charts
from .common import answer_text, base, local_time, num, standardized_text
from .content import Chart, Document, Facts, Heading, Paragraph, Photo, Signer, Table
from .letterhead import Letterhead, load

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
                ("Lập lúc", local_time(visit.created_at)),
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
        rows = [("Kết luận hiện tại", answer_text(items.get(criterion.id)))]
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


def area_rows(version, areas: dict, scale: float) -> list[tuple[str, float | None, float | None]]:
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


def area_blocks(rows) -> list:
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
        ("Bắt đầu thẩm định", local_time(inspection.started_at)),
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
        facts.append(("Hoàn tất", local_time(inspection.finalized_at) + by))
    if inspection.appeal_until:
        facts.append(("Hạn kiến nghị", f"{inspection.appeal_until:%d/%m/%Y}"))
    doc.blocks = [Heading("I. Kết quả chung"), Facts(facts)]
    result = inspection.result or {}
    doc.blocks += area_blocks(area_rows(version, result.get("areas") or {}, 100))
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
