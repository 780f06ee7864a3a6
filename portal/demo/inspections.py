"""A demo period that has been inspected: every state of the cycle, with evidence photos,
visits and corrective actions.

Most centers are finalized (several adjusted downward, a few upward), some were returned
and resubmitted, a few are under appeal, some wait for review, some have not started.
Rows are written directly (one audit entry per center instead of one per criterion) so
that ``flask demo seed`` stays fast; the scores come from the same code as live ones.
Centers whose assessment already exists are left alone, so the seed stays idempotent.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageDraw

from ..accounts.models import Role, User
from ..assessments import evidence as files
from ..assessments import services as checklist
from ..assessments.models import Answer, Assessment, AssessmentPeriod, AssessmentStatus, Evidence
from ..audit import services as audit
from ..centers.models import Center
from ..extensions import db
from ..inspections import services as inspections
from ..inspections.models import (
    ActionStatus,
    Appeal,
    AppealItem,
    CorrectiveAction,
    EventKind,
    Inspection,
    InspectionStatus,
    ReviewEvent,
    ReviewItem,
    Verdict,
    Visit,
    VisitFinding,
)
from ..shared.timeutils import now_utc, today_local

#: Share of centers in each state (the rest are finalized).
PLAN = (
    ("not_started", 0.08),
    ("draft", 0.05),
    ("submitted", 0.09),
    ("under_review", 0.04),
    ("returned", 0.05),
    ("resubmitted", 0.04),
    ("under_appeal", 0.03),
)
DOWN_REASONS = (
    "Kiểm tra thực tế: chưa đầy đủ như tự đánh giá.",
    "Ảnh minh chứng chụp từ kỳ trước, thực tế đã xuống cấp.",
    "Hồ sơ lưu chưa có chữ ký xác nhận.",
    "Chỉ bố trí một phần, chưa đủ theo tiêu chí.",
)
UP_REASONS = ("Đoàn kiểm tra xác nhận đã đáp ứng đầy đủ, đơn vị tự đánh giá thấp.",)
CORRECT_REASONS = (
    "Bổ sung ảnh chụp khu vực chờ và quyết định phân công.",
    "Đề nghị giải thích số liệu, gửi kèm báo cáo tháng.",
)


def evidence_dir() -> str:
    return current_app.config.get("EVIDENCE_DIR") or f"{current_app.instance_path}/evidence"


def _photo(seed: int) -> bytes:
    rng = random.Random(seed)  # noqa: S311 - demo data
    image = Image.new("RGB", (320, 240), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(7):
        x0, y0 = rng.randrange(320), rng.randrange(240)
        box = (x0, y0, x0 + rng.randrange(40, 160), y0 + rng.randrange(30, 120))
        colour = tuple(rng.randrange(256) for _ in range(3))
        (draw.rectangle if rng.random() < 0.5 else draw.ellipse)(box, fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _store_photo(assessment: Assessment, criterion, seed: int, user: User | None) -> Evidence:
    cfg = current_app.config
    clean = files.clean_upload(
        _photo(seed), max_bytes=cfg["EVIDENCE_MAX_BYTES"], max_pixels=cfg["EVIDENCE_MAX_PIXELS"]
    )
    name = files.new_storage_name(clean.extension)
    files.write_file(evidence_dir(), name, clean.content)
    evidence = Evidence(
        assessment=assessment,
        criterion=criterion,
        center_id=assessment.center.id,
        storage_name=name,
        kind=clean.kind,
        content_type=clean.content_type,
        size=len(clean.content),
        width=clean.width,
        height=clean.height,
        phash=clean.phash,
        sha256=clean.sha256,
        original_name=f"anh-{seed}.jpg",
        uploaded_by_id=user.id if user else None,
    )
    db.session.add(evidence)
    return evidence


def _answer_values(rng: random.Random, criterion, quality: float) -> dict:
    if criterion.answer_type == "number":
        share = min(1.0, max(0.2, rng.gauss(quality, 0.15)))
        return {"number": round(criterion.target * share, 1)}
    roll = rng.random()
    if criterion.answer_type == "yes_no":
        return {"choice": "yes" if roll < quality + 0.1 else "no"}
    if roll < quality:
        return {"choice": "met"}
    return {"choice": "partial" if roll < quality + 0.15 else "not_met"}


def _lower(criterion, values: dict) -> dict | None:
    """A verified answer one step below the manager's, or None when it cannot go lower."""
    if criterion.answer_type == "number":
        return {"number": round(values["number"] * 0.6, 1)}
    step = {"met": "partial", "partial": "not_met", "yes": "no"}
    lower = step.get(values.get("choice"))
    return {"choice": lower} if lower else None


def _higher(criterion, values: dict) -> dict | None:
    if criterion.answer_type == "number":
        return {"number": float(criterion.target)}
    step = {"not_met": "partial", "partial": "met", "no": "yes"}
    higher = step.get(values.get("choice"))
    return {"choice": higher} if higher else None


@dataclass
class _PlainAnswer:
    """An answer row as the scoring reads it (criterion, choice, number, N/A)."""

    assessment_id: int
    criterion_id: int
    choice: str | None
    number: float | None
    not_applicable: bool
    note: str
    updated_at: datetime
    is_answered: bool = True


class _Seeder:
    def __init__(
        self,
        period: AssessmentPeriod,
        rng: random.Random,
        today: date,
        *,
        shift: timedelta = timedelta(0),
        photos: bool = True,
    ) -> None:
        self.period = period
        self.rng = rng
        self.today = today
        #: An earlier period's cycle happened ``shift`` before now; its centers sent no photo.
        self.shift = shift
        self.photos = photos
        self.criteria = list(period.standard_version.criteria)
        self.inspector = db.session.scalar(
            sa.select(User).where(User.role == Role.INSPECTOR).order_by(User.id)
        )
        self.admin = db.session.scalar(
            sa.select(User).where(User.role == Role.ADMIN).order_by(User.id)
        )
        self.photo_seed = 0

    def _days_ago(self, days: float) -> datetime:
        return now_utc() - self.shift - timedelta(days=days)

    def assessment(self, center: Center, manager: User | None, *, submit: bool) -> Assessment:
        quality = self.rng.uniform(0.55, 0.97)
        submitted_days = self.rng.uniform(2, 25)
        assessment = Assessment(
            period=self.period,
            center=center,
            status=AssessmentStatus.SUBMITTED if submit else AssessmentStatus.DRAFT,
            revision=1,
            created_at=self._days_ago(submitted_days + 5),
        )
        db.session.add(assessment)
        db.session.flush()
        answered = self.criteria if submit else self.criteria[: self.rng.randint(5, 40)]
        now = now_utc()
        rows = []
        for c in answered:
            if c.is_informational:
                continue
            values = {"choice": None, "number": None} | _answer_values(self.rng, c, quality)
            rows.append(
                {
                    "assessment_id": assessment.id,
                    "criterion_id": c.id,
                    "not_applicable": False,
                    "note": "",
                    "updated_at": now,
                    **values,
                }
            )
        # Written in bulk: thousands of rows, no per-row ORM bookkeeping.
        db.session.execute(sa.insert(Answer), rows)
        self.answers = {r["criterion_id"]: r for r in rows}
        # A photo; a few centers send a photo another center also sent.
        c = self.rng.choice([c for c in self.criteria if c.wants_photo_or_document])
        self.photo_seed += 1
        if self.photos:
            _store_photo(assessment, c, self.photo_seed if self.rng.random() > 0.08 else 1, manager)
        if submit:
            assessment.submitted_at = self._days_ago(submitted_days)
            assessment.submitted_by_id = manager.id if manager else None
            assessment.self_score = self._self_score()
        db.session.flush()
        return assessment

    def _self_score(self) -> float | None:
        plain = [_PlainAnswer(**row) for row in self.answers.values()]
        return checklist.score_answers(self.period.standard_version, plain).compliance

    def inspection(self, assessment: Assessment, state: str) -> Inspection:
        rng = self.rng
        started = assessment.submitted_at + timedelta(days=rng.uniform(0.5, 2))
        inspection = Inspection(
            assessment=assessment,
            status=InspectionStatus.UNDER_REVIEW,
            started_at=started,
            started_by_id=self.inspector.id,
        )
        db.session.add(inspection)
        db.session.flush()
        adjust_down = rng.random() < 0.55
        adjust_up = not adjust_down and rng.random() < 0.25
        scored = [c for c in self.criteria if not c.is_informational]
        downs = set(rng.sample(scored, rng.randint(1, 3))) if adjust_down else set()
        ups = set(rng.sample(scored, 1)) if adjust_up else set()
        asked = set(rng.sample(scored, 2)) if state in ("returned", "resubmitted") else set()
        reviewed = state != "under_review"
        manager_id = assessment.submitted_by_id
        inspector_id = self.inspector.id
        items, events = [], []

        def event(c, kind, values, text, actor_id):
            events.append(
                {
                    "inspection_id": inspection.id,
                    "criterion_id": c.id,
                    "kind": kind,
                    "round": 1,
                    "choice": values.get("choice"),
                    "number": values.get("number"),
                    "not_applicable": False,
                    "text": text,
                    "actor_id": actor_id,
                    "created_at": started,
                }
            )

        for c in self.criteria:
            answer = self.answers.get(c.id)
            values = {"choice": answer["choice"], "number": answer["number"]} if answer else {}
            item = {
                "inspection_id": inspection.id,
                "criterion_id": c.id,
                "verdict": None,
                "reason": "",
                "choice": None,
                "number": None,
                "not_applicable": False,
                "reopened": False,
                "changed": False,
                "reviewed_at": None,
                "reviewed_by_id": None,
            }
            items.append(item)
            if answer is not None:
                event(c, EventKind.SUBMITTED, values, "", manager_id)
            if not reviewed and rng.random() < 0.5:
                continue  # the inspector is half-way through
            if c in asked:
                item["verdict"] = Verdict.CORRECT.value
                item["reason"] = rng.choice(CORRECT_REASONS)
                event(c, EventKind.CORRECT, {}, item["reason"], inspector_id)
                if state == "returned":
                    item["reopened"] = True
                    continue
                # Resubmitted: the manager answered again; the new answer waits for a verdict.
                better = _higher(c, values) or values
                answer.update(better)
                db.session.execute(
                    sa.update(Answer)
                    .where(Answer.assessment_id == assessment.id, Answer.criterion_id == c.id)
                    .values(**better)
                )
                item["verdict"] = None
                item["changed"] = True
                event(c, EventKind.FIX, better, "Đã bổ sung minh chứng.", manager_id)
                continue
            new = None
            if c in downs:
                new = _lower(c, values)
            elif c in ups:
                new = _higher(c, values)
            if new:
                item["verdict"] = Verdict.ADJUST.value
                item["reason"] = rng.choice(DOWN_REASONS if c in downs else UP_REASONS)
                item["choice"] = new.get("choice")
                item["number"] = new.get("number")
                event(c, EventKind.ADJUST, new, item["reason"], inspector_id)
            elif answer is not None or c.is_informational:
                item["verdict"] = Verdict.ACCEPT.value
                item["choice"] = values.get("choice")
                item["number"] = values.get("number")
                event(c, EventKind.ACCEPT, values, "", inspector_id)
            item["reviewed_at"] = started + timedelta(hours=2)
            item["reviewed_by_id"] = inspector_id
        db.session.execute(sa.insert(ReviewItem), items)
        db.session.execute(sa.insert(ReviewEvent), events)
        # The ORM collections are read again from the rows just written.
        db.session.expire(inspection, ["items"])
        db.session.expire(assessment, ["answers"])
        if state == "returned":
            inspection.status = InspectionStatus.RETURNED
            inspection.returned_at = started + timedelta(hours=3)
        elif state == "resubmitted":
            inspection.status = InspectionStatus.RESUBMITTED
            inspection.round = 2
            inspection.returned_at = started + timedelta(hours=3)
            inspection.resubmitted_at = started + timedelta(days=1)
            assessment.self_score = self._self_score()
        elif state in ("finalized", "under_appeal"):
            self.finalize(inspection, started, appeal=state == "under_appeal")
        return inspection

    def finalize(self, inspection: Inspection, started: datetime, *, appeal: bool) -> None:
        rng = self.rng
        result = inspections.compute_result(inspection)
        inspections.store_result(inspection, result)
        finalized_at = min(started + timedelta(days=rng.uniform(1, 6)), now_utc() - self.shift)
        inspection.status = InspectionStatus.FINALIZED
        inspection.finalized_at = finalized_at
        inspection.finalized_by_id = self.inspector.id
        window = current_app.config["APPEAL_WINDOW_DAYS"]
        inspection.appeal_until = finalized_at.date() + timedelta(days=window)
        if appeal:
            adjusted = [i for i in inspection.items if i.verdict == Verdict.ADJUST]
            target = adjusted[0] if adjusted else inspection.items[0]
            inspection.status = InspectionStatus.UNDER_APPEAL
            inspection.appeal_until = max(inspection.appeal_until, self.today)
            item = AppealItem(
                criterion=target.criterion,
                reason="Đơn vị đã hoàn thiện trước khi đoàn kiểm tra; đề nghị xem xét ảnh.",
            )
            db.session.add(Appeal(inspection=inspection, filed_by_id=None, items=[item]))
            db.session.add(
                ReviewEvent(
                    inspection_id=inspection.id,
                    criterion_id=target.criterion_id,
                    kind=EventKind.APPEAL,
                    text=item.reason,
                    created_at=now_utc(),
                )
            )
        # Corrective actions for the criteria adjusted downward; a visit for some centers.
        for item in inspection.items:
            if item.verdict != Verdict.ADJUST or rng.random() < 0.3:
                continue
            due = self.today + timedelta(days=rng.randint(-12, 25))
            action = CorrectiveAction(
                inspection=inspection,
                criterion=item.criterion,
                description=f"Khắc phục tiêu chí {item.criterion.code}: {item.reason}",
                owner="Giám đốc Trung tâm",
                due_on=due,
                created_by_id=self.inspector.id,
            )
            roll = rng.random()
            if roll < 0.3:
                action.status = ActionStatus.CONFIRMED
                action.closed_note = "Đã khắc phục, có ảnh kèm theo."
                action.closed_at = action.confirmed_at = now_utc()
                action.confirmed_by_id = self.inspector.id
            elif roll < 0.5:
                action.status = ActionStatus.CLOSED
                action.closed_note = "Đã bố trí lại, đề nghị đoàn xác nhận."
                action.closed_at = now_utc()
            db.session.add(action)
        if self.photos and rng.random() < 0.15:
            visited = inspection.items[rng.randrange(len(inspection.items))].criterion
            self.photo_seed += 1
            photo = _store_photo(
                inspection.assessment, visited, 1000 + self.photo_seed, self.inspector
            )
            visit = Visit(
                inspection=inspection,
                visited_on=finalized_at.date() - timedelta(days=1),
                team="Trưởng đoàn: Nguyễn Văn Hùng (Sở Nội vụ)\nThành viên: Trần Thị Lan",
                summary="Trụ sở khang trang; bố trí quầy theo lĩnh vực.",
                created_by_id=self.inspector.id,
            )
            visit.findings.append(
                VisitFinding(criterion=visited, text="Đã kiểm tra thực tế.", evidence=photo)
            )
            db.session.add(visit)


def seed_inspections(
    period: AssessmentPeriod | None,
    province_code: int,
    *,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
    plan: tuple[tuple[str, float], ...] = PLAN,
    earlier: bool = False,
) -> int:
    """Give the period's centers every state of the inspection cycle; return how many changed.

    With ``earlier``, the period is a past quarter: its cycle is shifted back to after the
    quarter closed, no photos are stored, and the demo manager's center is finalized too.
    """
    if period is None:
        return 0
    today = today or today_local()
    if earlier:
        done_on = period.closes_on + timedelta(days=30)
        seeder = _Seeder(
            period,
            random.Random(province_code * 31 + period.opens_on.toordinal()),  # noqa: S311
            done_on,
            shift=timedelta(days=max(0, (today - done_on).days)),
            photos=False,
        )
    else:
        seeder = _Seeder(period, random.Random(province_code * 31), today)  # noqa: S311
    if seeder.inspector is None:
        return 0
    centers = list(
        db.session.scalars(
            sa.select(Center).where(Center.province_code == province_code).order_by(Center.code)
        )
    )
    started = set(
        db.session.scalars(sa.select(Assessment.center_id).where(Assessment.period_id == period.id))
    )
    managers = {
        u.center_id: u for u in db.session.scalars(sa.select(User).where(User.role == Role.MANAGER))
    }
    states: list[str] = []
    for name, share in plan:
        states += [name] * round(share * len(centers))
    states += ["finalized"] * (len(centers) - len(states))
    seeder.rng.shuffle(states)
    changed = 0
    for center, state in zip(centers, states, strict=True):
        if progress:
            progress(1)
        if center.id in started or state == "not_started":
            continue
        manager = managers.get(center.id)
        if manager is not None and not earlier:
            state = "returned"  # the demo manager has the inspector's requests to answer
        assessment = seeder.assessment(center, manager, submit=state != "draft")
        if state not in ("draft", "submitted"):
            seeder.inspection(assessment, state)
        audit.record(
            actor=None,
            action="demo.inspection",
            object_type="assessment",
            object_id=assessment.id,
            center_id=center.id,
            summary={"center": center.name, "period": period.code, "state": state},
        )
        changed += 1
    db.session.flush()
    return changed
