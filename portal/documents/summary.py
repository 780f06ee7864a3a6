"""The province summary report of a period and the draft decision recognising its
standardized centers (with their list as an annex), from the period's score snapshots.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from ..assessments.models import Assessment, AssessmentPeriod
from ..centers.models import Center
from ..extensions import db
from ..inspections.models import Inspection
from ..rankings import services as rankings
from ..rankings.models import CLASS_LABELS, ScoreSnapshot
from ..scoring import rules
from ..shared import charts
from .common import LEVEL_VI, DocumentError, base, num
from .content import Annex, Chart, Document, Facts, Heading, Paragraph, Signer, Table
from .letterhead import Letterhead, load


def snapshots(period: AssessmentPeriod, province_code: int) -> list[ScoreSnapshot]:
    """The province's snapshots of the period, ranked first."""
    return list(db.session.scalars(rankings.ranking_query(period, province_code=province_code)))


def previous_period(period: AssessmentPeriod) -> AssessmentPeriod | None:
    """The latest period with snapshots that opened before ``period``."""
    has = sa.select(ScoreSnapshot.id).where(ScoreSnapshot.period_id == AssessmentPeriod.id)
    return db.session.scalar(
        sa.select(AssessmentPeriod)
        .where(AssessmentPeriod.opens_on < period.opens_on, has.exists())
        .order_by(AssessmentPeriod.opens_on.desc())
        .limit(1)
    )


@dataclass
class Stats:
    centers: int
    verified: int
    standardized: int
    quality: float | None
    compliance: float | None
    n_ratings: int
    csat: float | None
    counts: list[int]
    classes: dict[str, int]


def _mean(values) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def stats(rows: list[ScoreSnapshot]) -> Stats:
    counts = [0, 0, 0, 0, 0]
    for row in rows:
        for i, n in enumerate((row.counts or [0] * 5)[:5]):
            counts[i] += int(n or 0)
    classes: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.classification:
            classes[row.classification] += 1
    return Stats(
        centers=len(rows),
        verified=sum(1 for r in rows if r.compliance_verified is not None),
        standardized=sum(1 for r in rows if r.standardized),
        quality=_mean(r.quality for r in rows),
        compliance=_mean(r.compliance_verified for r in rows),
        n_ratings=sum(counts),
        csat=rules.satisfaction(counts).csat,
        counts=counts,
        classes=dict(classes),
    )


def weakest_criteria(period: AssessmentPeriod, province_code: int, limit: int = 10):
    """The criteria with the lowest mean verified score over the province's inspections."""
    results = db.session.scalars(
        sa.select(Inspection.result)
        .join(Assessment, Assessment.id == Inspection.assessment_id)
        .join(Center, Center.id == Assessment.center_id)
        .where(
            Assessment.period_id == period.id,
            Center.province_code == province_code,
            Inspection.verified_score.is_not(None),
        )
    ).all()
    scores: dict[str, list[float]] = defaultdict(list)
    for result in results:
        for code, pair in ((result or {}).get("criteria") or {}).items():
            if pair and len(pair) > 1 and pair[1] is not None:
                scores[code].append(float(pair[1]))
    texts = {c.code: c.text_vi for c in period.standard_version.criteria}
    ranked = sorted((sum(v) / len(v), code, len(v)) for code, v in scores.items() if code in texts)
    return [(code, texts[code], mean * 100, n) for mean, code, n in ranked[:limit]]


def _count(value: float) -> str:
    return str(int(round(value)))


def _province_name(rows: list[ScoreSnapshot], province_code: int) -> str:
    for row in rows:
        name = getattr(row.center, "province_name", "")
        if name:
            return name
    return str(province_code)


def province_summary(
    period: AssessmentPeriod, province_code: int, *, letterhead: Letterhead | None = None
) -> Document:
    rows = snapshots(period, province_code)
    if not rows:
        raise DocumentError("no snapshot")
    province = _province_name(rows, province_code)
    now = stats(rows)
    before_period = previous_period(period)
    before = stats(snapshots(before_period, province_code)) if before_period else None
    doc = base(
        "province_summary",
        "BÁO CÁO TỔNG HỢP",
        f"Kết quả chuẩn hóa “Một cửa số” các Trung tâm Phục vụ hành chính công "
        f"tỉnh {province}, kỳ {period.name}",
        letterhead=letterhead,
        filename=f"bao-cao-tong-hop-{period.code}-{province_code}",
    )
    doc.blocks = [
        Paragraph(
            f"Kỳ đánh giá {period.name} ({period.code}), từ {period.opens_on:%d/%m/%Y} đến "
            f"{period.closes_on:%d/%m/%Y}. Số liệu lấy từ kết quả thẩm định và đánh giá của "
            "người dân trên Cổng Một cửa số."
        ),
        Heading("I. Kết quả chung"),
        Facts(
            [
                ("Số trung tâm", str(now.centers)),
                ("Số trung tâm đã thẩm định", str(now.verified)),
                ("Số trung tâm đạt chuẩn “Một cửa số”", str(now.standardized)),
                ("Điểm chất lượng Q bình quân", num(now.quality)),
                ("C thẩm định bình quân", num(now.compliance)),
                ("Tổng số đánh giá của người dân", f"{now.n_ratings:,}".replace(",", ".")),
                ("Tỷ lệ hài lòng (CSAT)", num(None if now.csat is None else now.csat * 100) + " %"),
            ]
        ),
        Heading("II. Xếp loại"),
    ]
    class_rows = [
        (
            str(CLASS_LABELS[c]),
            now.classes.get(str(c), 0),
            before.classes.get(str(c), 0) if before else None,
        )
        for c in rules.Classification
    ]
    doc.blocks.append(
        Table(
            ["Xếp loại", "Kỳ này", "Kỳ trước"],
            [[label, str(a), "–" if b is None else str(b)] for label, a, b in class_rows],
            [50, 25, 25],
        )
    )
    doc.blocks.append(
        Chart(
            charts.bar_chart(
                [(label, float(a)) for label, a, _b in class_rows],
                title="Số trung tâm theo xếp loại",
                no_data="Chưa có xếp loại.",
                chart_id="classes",
                number=_count,
            )
        )
    )
    standardized = [r for r in rows if r.standardized]
    doc.blocks.append(Heading("III. Trung tâm đạt chuẩn “Một cửa số”"))
    if standardized:
        doc.blocks.append(_center_table(standardized))
    else:
        doc.blocks.append(Paragraph("Chưa có trung tâm đạt chuẩn trong kỳ."))
    doc.blocks.append(Heading("IV. Các tiêu chí đạt thấp nhất"))
    weakest = weakest_criteria(period, province_code)
    if weakest:
        doc.blocks.append(
            Table(
                ["Mã", "Tiêu chí", "Điểm TB (%)", "Số TT"],
                [[code, text, num(mean, 1), str(n)] for code, text, mean, n in weakest],
                [14, 100, 20, 16],
            )
        )
    else:
        doc.blocks.append(Paragraph("Chưa có kết quả thẩm định."))
    doc.blocks.append(Heading("V. Mức độ hài lòng của người dân"))
    doc.blocks.append(
        Table(
            ["Mức đánh giá", "1 sao", "2 sao", "3 sao", "4 sao", "5 sao"],
            [["Số đánh giá", *[str(n) for n in now.counts]]],
            [30, 14, 14, 14, 14, 14],
        )
    )
    doc.blocks.append(
        Chart(
            charts.bar_chart(
                [(f"{i} sao", float(n)) for i, n in enumerate(now.counts, start=1)],
                title="Số đánh giá theo mức sao",
                no_data="Chưa có đánh giá.",
                chart_id="stars",
                number=_count,
            )
        )
    )
    doc.blocks.append(Heading("VI. So sánh với kỳ trước"))
    if before is None:
        doc.blocks.append(Paragraph("Không có kỳ trước để so sánh."))
    else:
        doc.blocks.append(Paragraph(f"Kỳ trước: {before_period.name} ({before_period.code})."))
        doc.blocks.append(_comparison(now, before))
    doc.blocks.append(Heading("VII. Kết quả từng trung tâm"))
    doc.blocks.append(_center_table(rows, with_rank=True))
    return doc


def _comparison(now: Stats, before: Stats) -> Table:
    def delta(a, b, digits=2):
        if a is None or b is None:
            return "–"
        sign = "+" if a - b >= 0 else ""
        return sign + num(a - b, digits)

    def pct(x):
        return None if x is None else x * 100

    lines = [
        ("Trung tâm đạt chuẩn", now.standardized, before.standardized, 0),
        ("Q bình quân", now.quality, before.quality, 2),
        ("C thẩm định bình quân", now.compliance, before.compliance, 2),
        ("Số đánh giá", now.n_ratings, before.n_ratings, 0),
        ("CSAT (%)", pct(now.csat), pct(before.csat), 1),
    ]
    return Table(
        ["Chỉ tiêu", "Kỳ này", "Kỳ trước", "Thay đổi"],
        [[label, num(a, d), num(b, d), delta(a, b, d)] for label, a, b, d in lines],
        [40, 20, 20, 20],
    )


def _center_table(rows: list[ScoreSnapshot], *, with_rank: bool = False) -> Table:
    headers = ["Hạng" if with_rank else "STT", "Trung tâm", "Xếp loại", "Q", "C thẩm định", "S"]
    body = []
    for i, r in enumerate(rows, start=1):
        first = (str(r.rank) if r.rank is not None else "–") if with_rank else str(i)
        body.append(
            [
                first,
                r.center.name,
                r.class_label or "–",
                num(r.quality),
                num(r.compliance_verified),
                num(r.satisfaction_index),
            ]
        )
    return Table(headers, body, [10, 70, 20, 14, 18, 14])


def decision(
    period: AssessmentPeriod, province_code: int, *, letterhead: Letterhead | None = None
) -> Document:
    """The draft decision (always a draft: the People's Committee numbers and signs it)."""
    lh = letterhead or load()
    rows = snapshots(period, province_code)
    if not rows:
        raise DocumentError("no snapshot")
    province = _province_name(rows, province_code)
    standardized = [r for r in rows if r.standardized]
    provisional = [r for r in standardized if r.state != "final"]
    doc = base(
        "decision",
        "QUYẾT ĐỊNH",
        f"Công nhận các Trung tâm Phục vụ hành chính công đạt chuẩn “Một cửa số” kỳ {period.name}",
        letterhead=lh,
        filename=f"du-thao-quyet-dinh-{period.code}-{province_code}",
    )
    doc.parent_agency = ""
    doc.agency = lh.decision_agency
    doc.draft = True
    doc.signers = [Signer(lh.decision_authority, lh.decision_signer_title, lh.decision_signer_name)]
    doc.blocks = [
        Heading(f"{lh.decision_signer_title} {lh.decision_agency}".strip().upper(), center=True),
        Paragraph(
            "Căn cứ Nghị định số 118/2025/NĐ-CP ngày 09/6/2025 của Chính phủ về thực hiện "
            "thủ tục hành chính theo cơ chế một cửa, một cửa liên thông tại Bộ phận Một cửa "
            "và Cổng Dịch vụ công quốc gia;",
            italic=True,
        ),
        Paragraph("Căn cứ […] (bộ phận soạn thảo bổ sung các căn cứ pháp lý khác);", italic=True),
        Paragraph(
            f"Căn cứ kết quả tự đánh giá, thẩm định và đánh giá của người dân kỳ {period.name} "
            "trên Cổng Một cửa số;",
            italic=True,
        ),
        Paragraph("Theo đề nghị của […].", italic=True),
        Heading("QUYẾT ĐỊNH:", center=True),
        Paragraph(
            f"Điều 1. Công nhận {len(standardized)} Trung tâm Phục vụ hành chính công trên địa "
            f"bàn tỉnh {province} đạt chuẩn “Một cửa số” kỳ {period.name} (có danh sách kèm theo)."
        ),
        Paragraph("Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
        Paragraph(
            "Điều 3. Chánh Văn phòng Ủy ban nhân dân tỉnh, Thủ trưởng các cơ quan, đơn vị có "
            "liên quan và các Trung tâm có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này."
        ),
    ]
    if provisional:
        doc.blocks.append(
            Paragraph(
                f"Ghi chú dự thảo: kết quả của {len(provisional)} trung tâm trong danh sách còn "
                "tạm thời (đang trong thời hạn hoặc đang giải quyết kiến nghị).",
                italic=True,
            )
        )
    body = [
        [
            str(i),
            r.center.name,
            LEVEL_VI.get(r.center.level, r.center.level),
            num(r.compliance_verified),
            r.class_label or "–",
        ]
        for i, r in enumerate(standardized, start=1)
    ]
    doc.annex = Annex(
        "DANH SÁCH TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG ĐẠT CHUẨN “MỘT CỬA SỐ”",
        f"(Kèm theo Quyết định số      /{doc.symbol} ngày    tháng    năm      "
        f"của {lh.decision_agency})",
        [
            Table(
                ["STT", "Trung tâm", "Cấp", "C thẩm định", "Xếp loại"], body, [10, 80, 18, 18, 20]
            )
            if body
            else Paragraph("Chưa có trung tâm đạt chuẩn trong kỳ.")
        ],
    )
    return doc
