"""What a person may export, and the rows of each export.

Every figure comes from the read floor (``portal.rankings``: score snapshots, ranking
rows, satisfaction figures) or is a stored fact (answers, verdicts, ratings, cases): no
score is computed here. Headers and labels are Vietnamese whatever the interface
language: the files are filed and shared inside a Vietnamese administration.

Rows are generators: the ratings of a province are streamed from the database
(``yield_per``) into the writer, never held in memory together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import orm

from ..accounts.models import Role, User
from ..accounts.permissions import can_view_center, visible_centers_clause
from ..assessments.models import Answer, Assessment, AssessmentPeriod
from ..assessments.services import answer_fraction
from ..audit import services as audit
from ..centers.models import Center, Counter, Officer
from ..complaints.models import Case, CaseStatus
from ..extensions import db
from ..inspections.models import Inspection, ReviewItem
from ..rankings import services as rankings
from ..rankings.models import ScoreSnapshot
from ..ratings.forms import FLAG_LABELS
from ..ratings.models import Channel, FlagReview, Rating
from ..shared.errors import PermissionDenied, PortalError
from ..shared.timeutils import DISPLAY_TZ, as_aware_utc, today_local
from ..standards.models import Criterion

TABLE_KINDS = ("rankings", "ratings", "assessments", "complaints")
REPORT_KINDS = ("center_report",)
KINDS = TABLE_KINDS + REPORT_KINDS
TABLE_FORMATS = ("xlsx", "csv")

KIND_LABELS = {
    "rankings": _l("Ranking of centers"),
    "ratings": _l("Citizen ratings"),
    "assessments": _l("Self-assessment and verification per criterion"),
    "complaints": _l("Complaints"),
    "center_report": _l("Center report (PDF)"),
    "inspection_report": _l("Inspection report (PDF)"),
}

LEVEL_VI = {"province": "Cấp tỉnh", "commune": "Cấp xã"}
CHANNEL_VI = {
    Channel.COUNTER_QR: "QR tại quầy",
    Channel.RECEIPT_QR: "QR trên phiếu hẹn",
    Channel.KIOSK: "Ki-ốt",
    Channel.KIOSK_OFFLINE: "Ki-ốt (ngoại tuyến)",
    Channel.STAFF: "Cán bộ hỗ trợ",
}
ANSWER_VI = {
    "met": "Đạt",
    "partial": "Đạt một phần",
    "not_met": "Không đạt",
    "yes": "Có",
    "no": "Không",
}
VERDICT_VI = {"accept": "Chấp nhận", "adjust": "Điều chỉnh", "correct": "Yêu cầu sửa"}
CASE_STATUS_VI = {CaseStatus.OPEN: "Đang xử lý", CaseStatus.ANSWERED: "Đã trả lời"}
CASE_SOURCE_VI = {"dissatisfied": "Không hài lòng kèm góp ý", "complaint": "Phản ánh"}

#: A center's own export is small enough to be served at once; a whole scope is a job.
DIRECT_MAX_CENTERS = 1


class ExportError(PortalError):
    pass


class ExportForbidden(PermissionDenied):
    pass


@dataclass(frozen=True)
class Column:
    header: str
    #: text, int, dec (two decimals), pct (a fraction shown as %), date, datetime, bool
    kind: str = "text"
    width: float = 14


@dataclass
class Table:
    title: str
    columns: tuple[Column, ...]
    rows: Iterator[tuple]
    #: How many rows will come (for the progress bar), when known beforehand.
    count: int
    download_name: str
    notes: list[str] = field(default_factory=list)


# Who may export what --------------------------------------------------------------------


EXPORTERS = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)


def may_export(user: User) -> bool:
    return bool(user and user.is_active and user.role in EXPORTERS)


def scope_for(user: User, center: Center | None) -> list[Center]:
    """The centers an export covers: ``center`` if the user may see it, else the user's scope.

    A manager always exports their own center only; asking for another is refused.
    """
    if not may_export(user):
        raise ExportForbidden(_l("You may not export data."))
    if center is not None:
        if not can_view_center(user, center):
            raise ExportForbidden(_l("This center is outside your scope."))
        return [center]
    if user.role == Role.MANAGER:
        if user.center is None:
            raise ExportForbidden(_l("Your account has no center."))
        return [user.center]
    return list(
        db.session.scalars(
            sa.select(Center).where(visible_centers_clause(user)).order_by(Center.code)
        )
    )


def rankings_visible(user: User, period: AssessmentPeriod) -> bool:
    """Inspectors and admins export a period's ranking once computed; managers once public."""
    if not rankings.has_snapshots(period):
        return False
    if user.role in (Role.ADMIN, Role.INSPECTOR):
        return True
    return rankings.settings_for(period).is_published


def record_export(
    user: User, *, kind: str, fmt: str, period: AssessmentPeriod | None, centers: list[Center]
) -> None:
    """Who exported what (never a row's content: no personal data in the audit log)."""
    audit.record(
        actor=user,
        action="export.created",
        object_type="period" if period else "export",
        object_id=period.code if period else kind,
        center_id=centers[0].id if len(centers) == 1 else None,
        summary={
            "kind": kind,
            "format": fmt,
            "centers": len(centers),
            "center": centers[0].code if len(centers) == 1 else None,
        },
    )


# Tables ---------------------------------------------------------------------------------


def _local(value) -> object:
    if value is None:
        return None
    return as_aware_utc(value).astimezone(DISPLAY_TZ).replace(tzinfo=None)


def _suffix(period: AssessmentPeriod | None, centers: list[Center]) -> str:
    parts = [period.code] if period else []
    parts.append(centers[0].code if len(centers) == 1 else "tat-ca")
    return "-".join(parts)


def _in_centers(column, centers: list[Center]):
    return column.in_([c.id for c in centers])


def rankings_table(period: AssessmentPeriod, centers: list[Center]) -> Table:
    """Every center of the scope with the fields of ``GET /api/v1/rankings``."""
    stmt = rankings.ranking_query(period).where(_in_centers(Center.id, centers))
    snapshots = list(db.session.scalars(stmt))
    status = rankings.period_status(period)
    columns = (
        Column("Hạng", "int", 7),
        Column("Mã", "text", 8),
        Column("Tên trung tâm", "text", 42),
        Column("Cấp", "text", 10),
        Column("Xếp loại", "text", 12),
        Column("Đạt chuẩn", "bool", 10),
        Column("Điểm chất lượng Q", "dec", 12),
        Column("C tự đánh giá", "dec", 12),
        Column("C thẩm định", "dec", 12),
        Column("Chênh lệch", "dec", 11),
        Column("Chỉ số hài lòng S", "dec", 12),
        Column("S điều chỉnh", "dec", 12),
        Column("Tỷ lệ hài lòng (CSAT)", "pct", 12),
        Column("Cận dưới Wilson", "pct", 12),
        Column("Số đánh giá", "int", 10),
        Column("Hạng hài lòng", "int", 10),
        Column("Trạng thái", "text", 14),
    )

    def rows() -> Iterator[tuple]:
        with force_locale("vi"):
            for s in snapshots:
                record = rankings.snapshot_record(s)
                yield (
                    record["rank"],
                    record["code"],
                    record["name"],
                    LEVEL_VI.get(record["level"], record["level"]),
                    s.class_label,
                    record["standardized"],
                    record["quality"],
                    record["compliance_self"],
                    record["compliance_verified"],
                    s.gap,
                    record["satisfaction_index"],
                    record["satisfaction_adjusted"],
                    record["csat"],
                    record["csat_wilson_lower"],
                    record["n_ratings"],
                    record["satisfaction_rank"],
                    s.state_label,
                )

    state = "chính thức" if status.final else "tạm thời"
    if status.revision:
        state += f", công bố lần {status.revision} (số liệu đến {status.cut_off:%d/%m/%Y})"
    return Table(
        f"Xếp hạng {period.code}",
        columns,
        rows(),
        len(snapshots),
        f"xep-hang-{_suffix(period, centers)}",
        [f"Kỳ {period.name} ({period.code}), kết quả {state}."],
    )


def _reportable():
    """The SQL form of ``Rating.is_reportable``."""
    return sa.and_(
        Rating.channel != Channel.STAFF,
        sa.or_(Rating.flags == "", Rating.cleared_at.is_not(None)),
        sa.or_(Rating.flag_review.is_(None), Rating.flag_review != FlagReview.CONFIRMED),
    )


def _rated_in(period: AssessmentPeriod):
    """Ratings given on a day of ``period``."""
    return sa.and_(Rating.day >= period.opens_on, Rating.day <= period.closes_on)


#: How many rows a streamed export reads from the database at a time.
YIELD_PER = 2000


def _streamed_table(
    title: str,
    columns: tuple[Column, ...],
    stmt: sa.Select,
    row: Callable[[sa.Row], tuple],
    *,
    count: int,
    download_name: str,
    notes: list[str] | None = None,
) -> Table:
    """A table whose rows are those of ``stmt``, read ``YIELD_PER`` at a time, each
    turned into the table's cells by ``row``."""

    def rows() -> Iterator[tuple]:
        for r in db.session.execute(stmt.execution_options(yield_per=YIELD_PER)):
            yield row(r)

    return Table(title, columns, rows(), count, download_name, notes or [])


def ratings_table(period: AssessmentPeriod, centers: list[Center]) -> Table:
    """The period's reportable ratings of the scope, streamed; never a phone number."""
    where = sa.and_(_in_centers(Rating.center_id, centers), _rated_in(period), _reportable())
    count = db.session.scalar(sa.select(sa.func.count(Rating.id)).where(where)) or 0
    counter = orm.aliased(Counter)
    officer = orm.aliased(Officer)
    stmt = (
        sa.select(
            Rating.created_at,
            Center.code,
            Center.name,
            counter.number,
            counter.field,
            officer.full_name,
            Rating.score,
            Rating.channel,
            Rating.flags,
            Rating.cleared_at,
            Rating.comment,
            Rating.comment_hidden,
        )
        .join(Center, Center.id == Rating.center_id)
        .outerjoin(counter, counter.id == Rating.counter_id)
        .outerjoin(officer, officer.id == Rating.officer_id)
        .where(where)
        .order_by(Rating.center_id, Rating.created_at, Rating.id)
    )
    columns = (
        Column("Thời gian", "datetime", 17),
        Column("Mã trung tâm", "text", 10),
        Column("Trung tâm", "text", 36),
        Column("Quầy", "text", 30),
        Column("Cán bộ", "text", 24),
        Column("Điểm", "int", 7),
        Column("Kênh", "text", 16),
        Column("Cảnh báo", "text", 24),
        Column("Góp ý", "text", 60),
    )

    with force_locale("vi"):
        labels = {k: str(v) for k, v in FLAG_LABELS.items()}

    def row(r: sa.Row) -> tuple:
        # a reportable rating carries flags only once a reviewer cleared them
        flags = "; ".join(labels.get(f, f) for f in (r.flags or "").split(",") if f)
        if flags and r.cleared_at is not None:
            flags += f" (đã xem xét, giữ lại {_local(r.cleared_at):%d/%m/%Y})"
        comment = r.comment or ""
        if r.comment_hidden and comment:
            comment = "[ẩn khỏi trang công khai] " + comment
        return (
            _local(r.created_at),
            r.code,
            r.name,
            counter_name(r.number, r.field),
            r.full_name or "",
            r.score,
            CHANNEL_VI.get(r.channel, r.channel),
            flags or "Không",
            comment,
        )

    return _streamed_table(
        f"Đánh giá {period.code}",
        columns,
        stmt,
        row,
        count=count,
        download_name=f"danh-gia-{_suffix(period, centers)}",
        notes=[
            f"Đánh giá được tính điểm từ {period.opens_on:%d/%m/%Y} "
            f"đến {period.closes_on:%d/%m/%Y}."
        ],
    )


def counter_name(number: int | None, field: str | None) -> str:
    """A counter as people call it: "Quầy 2 – Lĩnh vực đất đai" (empty for no counter)."""
    if number is None:
        return ""
    return f"Quầy {number} – {field}" if field else f"Quầy {number}"


def _answer_vi(criterion: Criterion, item) -> str:
    if item is None:
        return ""
    if item.not_applicable:
        return "Không áp dụng"
    if criterion.answer_type == "number":
        return "" if item.number is None else f"{item.number:g}"
    return ANSWER_VI.get(item.choice or "", "")


def assessments_table(period: AssessmentPeriod, centers: list[Center]) -> Table:
    """Center × criterion: self answer, verified answer, points, the inspector's reason."""
    version = period.standard_version
    criteria = sorted(version.criteria, key=lambda c: (c.area.position, c.position))
    assessments = list(
        db.session.scalars(
            sa.select(Assessment)
            .join(Center, Center.id == Assessment.center_id)
            .where(Assessment.period_id == period.id, _in_centers(Center.id, centers))
            .order_by(Center.code)
        )
    )
    columns = (
        Column("Mã trung tâm", "text", 10),
        Column("Trung tâm", "text", 36),
        Column("Lĩnh vực", "text", 20),
        Column("Mã tiêu chí", "text", 10),
        Column("Tiêu chí", "text", 60),
        Column("Điểm tối đa", "dec", 10),
        Column("Tự đánh giá", "text", 14),
        Column("Điểm tự đánh giá", "dec", 12),
        Column("Kết quả thẩm định", "text", 14),
        Column("Điểm thẩm định", "dec", 12),
        Column("Kết luận", "text", 14),
        Column("Lý do", "text", 50),
    )

    def points(criterion: Criterion, item) -> float | None:
        if item is None:
            return None
        fraction = answer_fraction(criterion, item)
        return None if fraction is None else round(fraction * criterion.points, 2)

    # Read once: a criterion's own fields, its area's name, each assessment's center.
    fixed = [(c, c.area.name_vi, c.code, c.text_vi, c.points) for c in criteria]
    centers_of = {a.id: (a.center.code, a.center.name) for a in assessments}

    def rows() -> Iterator[tuple]:
        for a in assessments:
            code, name = centers_of[a.id]
            answers = {
                x.criterion_id: x
                for x in db.session.scalars(sa.select(Answer).where(Answer.assessment_id == a.id))
            }
            inspection = db.session.scalar(
                sa.select(Inspection).where(Inspection.assessment_id == a.id)
            )
            items: dict[int, ReviewItem] = {}
            if inspection is not None:
                items = {i.criterion_id: i for i in inspection.items}
            for c, area_name, c_code, c_text, c_points in fixed:
                answer, item = answers.get(c.id), items.get(c.id)
                verified = item if item is not None and item.verdict else None
                yield (
                    code,
                    name,
                    area_name,
                    c_code,
                    c_text,
                    c_points,
                    _answer_vi(c, answer),
                    points(c, answer),
                    _answer_vi(c, verified),
                    points(c, verified),
                    VERDICT_VI.get(item.verdict or "", "") if item else "",
                    item.reason if item else "",
                )
            # One center's answers at a time in memory; the criteria stay loaded.
            for answer in answers.values():
                db.session.expunge(answer)
            if inspection is not None:
                db.session.expunge(inspection)  # and its review items (cascade)

    return Table(
        f"Tự đánh giá {period.code}",
        columns,
        rows(),
        len(assessments) * len(criteria),
        f"tu-danh-gia-{_suffix(period, centers)}",
    )


def complaints_table(period: AssessmentPeriod, centers: list[Center]) -> Table:
    """Cases opened in the period: status, due date, answered date (no citizen data)."""
    today = today_local()
    where = sa.and_(_in_centers(Case.center_id, centers), _rated_in(period))
    base = sa.select(Case.id).join(Rating, Rating.id == Case.rating_id).where(where)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    stmt = (
        sa.select(
            Case.id,
            Center.code,
            Center.name,
            Case.source,
            Case.status,
            Case.created_at,
            Case.due_on,
            Case.answered_at,
            Rating.score,
        )
        .join(Rating, Rating.id == Case.rating_id)
        .join(Center, Center.id == Case.center_id)
        .where(where)
        .order_by(Center.code, Case.created_at, Case.id)
    )
    columns = (
        Column("Số vụ việc", "int", 10),
        Column("Mã trung tâm", "text", 10),
        Column("Trung tâm", "text", 36),
        Column("Nguồn", "text", 22),
        Column("Trạng thái", "text", 14),
        Column("Ngày tiếp nhận", "date", 14),
        Column("Hạn xử lý", "date", 12),
        Column("Ngày trả lời", "date", 12),
        Column("Quá hạn", "bool", 9),
        Column("Điểm đánh giá", "int", 9),
    )

    def row(r: sa.Row) -> tuple:
        answered = _local(r.answered_at)
        return (
            r.id,
            r.code,
            r.name,
            CASE_SOURCE_VI.get(r.source, r.source),
            CASE_STATUS_VI.get(r.status, r.status),
            _local(r.created_at).date(),
            r.due_on,
            answered.date() if answered else None,
            r.status == CaseStatus.OPEN and r.due_on < today,
            r.score,
        )

    return _streamed_table(
        f"Phản ánh {period.code}",
        columns,
        stmt,
        row,
        count=count,
        download_name=f"phan-anh-{_suffix(period, centers)}",
    )


TABLES: dict[str, Callable[[AssessmentPeriod, list[Center]], Table]] = {
    "rankings": rankings_table,
    "ratings": ratings_table,
    "assessments": assessments_table,
    "complaints": complaints_table,
}


def build_table(kind: str, period: AssessmentPeriod, centers: list[Center]) -> Table:
    if kind not in TABLES:
        raise ExportError(_l("Unknown export."))
    return TABLES[kind](period, centers)


# The exports page -----------------------------------------------------------------------


def export_periods() -> list[AssessmentPeriod]:
    return list(
        db.session.scalars(
            sa.select(AssessmentPeriod)
            .where(AssessmentPeriod.opens_on <= today_local())
            .order_by(AssessmentPeriod.opens_on.desc())
        )
    )


def center_snapshot(period: AssessmentPeriod, center: Center) -> ScoreSnapshot | None:
    return rankings.snapshot_for(period, center)


def case_summary(center: Center, start: date, end: date) -> dict[str, int]:
    """Cases of the center opened between ``start`` and ``end``: total, answered, open, overdue."""
    today = today_local()
    rows = db.session.execute(
        sa.select(Case.status, Case.due_on)
        .join(Rating, Rating.id == Case.rating_id)
        .where(Case.center_id == center.id, Rating.day >= start, Rating.day <= end)
    ).all()
    return {
        "total": len(rows),
        "answered": sum(1 for r in rows if r.status == CaseStatus.ANSWERED),
        "open": sum(1 for r in rows if r.status == CaseStatus.OPEN),
        "overdue": sum(1 for r in rows if r.status == CaseStatus.OPEN and r.due_on < today),
    }
