"""Scoring settings per assessment period and the stored score snapshots.

A snapshot holds every figure of a center's score for a period, as shown (two
decimals; CSAT and its Wilson bound as fractions with four), together with the
settings and the standard version used, so that a published ranking is
reproduced exactly later from the table alone.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..scoring import rules
from ..shared.timeutils import now_utc

if TYPE_CHECKING:
    from ..accounts.models import User
    from ..assessments.models import AssessmentPeriod
    from ..centers.models import Center


class SnapshotState(enum.StrEnum):
    NOT_VERIFIED = "not_verified"
    PROVISIONAL = "provisional"
    UNDER_APPEAL = "under_appeal"
    FINAL = "final"


STATE_LABELS = {
    SnapshotState.NOT_VERIFIED: _l("Not yet verified"),
    SnapshotState.PROVISIONAL: _l("Provisional"),
    SnapshotState.UNDER_APPEAL: _l("Under appeal"),
    SnapshotState.FINAL: _l("Final"),
}

CLASS_LABELS = {
    rules.Classification.EXCELLENT: _l("Excellent"),
    rules.Classification.GOOD: _l("Good"),
    rules.Classification.FAIR: _l("Fair"),
    rules.Classification.AVERAGE: _l("Average"),
    rules.Classification.WEAK: _l("Weak"),
}


class ScoringSettings(db.Model):
    """The weights and thresholds of one period; locked once the period is published."""

    __tablename__ = "scoring_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_periods.id", ondelete="CASCADE"), unique=True
    )
    compliance_weight: Mapped[float] = mapped_column(default=rules.COMPLIANCE_WEIGHT)
    satisfaction_weight: Mapped[float] = mapped_column(default=rules.SATISFACTION_WEIGHT)
    #: m, the weight of the province's pooled index in S_adj.
    prior_weight: Mapped[int] = mapped_column(default=rules.DEFAULT_MIN_N)
    min_n: Mapped[int] = mapped_column(default=rules.DEFAULT_MIN_N)
    standardized_threshold: Mapped[float] = mapped_column(default=rules.STANDARDIZED_THRESHOLD)
    band_excellent: Mapped[float] = mapped_column(default=90.0)
    band_good: Mapped[float] = mapped_column(default=80.0)
    band_fair: Mapped[float] = mapped_column(default=65.0)
    band_average: Mapped[float] = mapped_column(default=50.0)
    appeal_window_days: Mapped[int] = mapped_column(default=10)
    #: The best class of a center that is not standardized ("" for no cap).
    class_cap: Mapped[str] = mapped_column(
        sa.String(10), default=str(rules.DEFAULT_CLASS_CAP), server_default="fair"
    )
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(default=now_utc)

    period: Mapped[AssessmentPeriod] = relationship()
    published_by: Mapped[User | None] = relationship()

    EDITABLE = (
        "compliance_weight",
        "satisfaction_weight",
        "prior_weight",
        "min_n",
        "standardized_threshold",
        "band_excellent",
        "band_good",
        "band_fair",
        "band_average",
        "appeal_window_days",
        "class_cap",
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def thresholds(self) -> tuple[tuple[float, rules.Classification], ...]:
        return (
            (self.band_excellent, rules.Classification.EXCELLENT),
            (self.band_good, rules.Classification.GOOD),
            (self.band_fair, rules.Classification.FAIR),
            (self.band_average, rules.Classification.AVERAGE),
        )

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.EDITABLE}


class ScoreSnapshot(db.Model):
    """Every figure of one center's score in one period, as shown."""

    __tablename__ = "score_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_periods.id", ondelete="CASCADE"), index=True
    )
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(sa.String(15), default=SnapshotState.NOT_VERIFIED)
    #: The day the result became final (local date), once it is.
    final_on: Mapped[date | None]
    compliance_self: Mapped[float | None]
    compliance_verified: Mapped[float | None]
    #: {area code: [self, verified]} on 0–100, as shown.
    areas: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    gates_ok: Mapped[bool | None]
    standardized: Mapped[bool] = mapped_column(default=False)
    n_ratings: Mapped[int] = mapped_column(default=0)
    #: Reportable ratings per score 1–5.
    counts: Mapped[list] = mapped_column(sa.JSON, default=list)
    csat: Mapped[float | None]
    csat_wilson_lower: Mapped[float | None]
    satisfaction_index: Mapped[float | None]
    pooled_index: Mapped[float | None]
    satisfaction_adjusted: Mapped[float | None]
    quality: Mapped[float | None]
    classification: Mapped[str | None] = mapped_column(sa.String(10))
    #: The class was lowered to the period's cap: the center is not standardized.
    capped: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    #: The mandatory criteria (gates) the verified result did not meet.
    failed_gates: Mapped[list] = mapped_column(
        sa.JSON, default=list, server_default=sa.text("'[]'")
    )
    #: The unrounded figures the ranks are taken on: fractions "p/q"; the Wilson bound
    #: as decimal digits. {name: text}; see ``snapshots.exact_value``.
    exact: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))
    rank: Mapped[int | None]
    satisfaction_rank: Mapped[int | None]
    #: The settings used and the pinned standard version.
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    standard_version: Mapped[str] = mapped_column(sa.String(40), default="")
    computed_at: Mapped[datetime] = mapped_column(default=now_utc)

    period: Mapped[AssessmentPeriod] = relationship()
    center: Mapped[Center] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("period_id", "center_id"),
        sa.CheckConstraint(
            "state IN ('not_verified', 'provisional', 'under_appeal', 'final')", name="state"
        ),
    )

    #: The figures compared by a recompute (what "changed" means).
    FIGURES = (
        "state",
        "final_on",
        "compliance_self",
        "compliance_verified",
        "areas",
        "gates_ok",
        "standardized",
        "n_ratings",
        "counts",
        "csat",
        "csat_wilson_lower",
        "satisfaction_index",
        "pooled_index",
        "satisfaction_adjusted",
        "quality",
        "classification",
        "capped",
        "failed_gates",
        "exact",
        "rank",
        "satisfaction_rank",
        "settings",
        "standard_version",
    )

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[SnapshotState(self.state)])

    @property
    def under_appeal(self) -> bool:
        return self.state == SnapshotState.UNDER_APPEAL

    @property
    def class_label(self) -> str:
        if not self.classification:
            return ""
        return str(CLASS_LABELS[rules.Classification(self.classification)])

    @property
    def below_threshold(self) -> bool:
        """C_verified below the period's threshold of the standard."""
        return self.compliance_verified is not None and rules.shown(
            self.compliance_verified
        ) < rules.shown(self.threshold)

    @property
    def threshold(self) -> float:
        return (self.settings or {}).get("standardized_threshold", rules.STANDARDIZED_THRESHOLD)

    @property
    def gap(self) -> float | None:
        if self.compliance_self is None or self.compliance_verified is None:
            return None
        return float(rules.shown(self.compliance_self) - rules.shown(self.compliance_verified))


class RevisionStatus(enum.StrEnum):
    PROVISIONAL = "provisional"
    FINAL = "final"


class RevisionReason(enum.StrEnum):
    PUBLISHED = "published"
    PUBLISHED_FINAL = "published_final"
    FINALIZED = "finalized"
    APPEAL_FILED = "appeal_filed"
    APPEAL_DECIDED = "appeal_decided"
    RECOMPUTE = "recompute"


REASON_LABELS = {
    RevisionReason.PUBLISHED: _l("Published as provisional"),
    RevisionReason.PUBLISHED_FINAL: _l("Published as final"),
    RevisionReason.FINALIZED: _l("An inspection was finalized"),
    RevisionReason.APPEAL_FILED: _l("A center appealed its result"),
    RevisionReason.APPEAL_DECIDED: _l("An appeal was decided"),
    RevisionReason.RECOMPUTE: _l("The figures were recomputed"),
}


class ResultRevision(db.Model):
    """One numbered publication of a period's results: its rows are frozen copies of the
    snapshots at that moment, and the public board, exports and API read only them."""

    __tablename__ = "result_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_periods.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    status: Mapped[str] = mapped_column(sa.String(12))
    reason: Mapped[str] = mapped_column(sa.String(20))
    #: What caused it, e.g. the center whose appeal was decided.
    detail: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The last day whose ratings the rows count.
    cut_off: Mapped[date]
    #: [[center code, old rank, new rank], ...] for the ranks that moved.
    moved: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    period: Mapped[AssessmentPeriod] = relationship()
    created_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("period_id", "number"),
        sa.CheckConstraint("status IN ('provisional', 'final')", name="status"),
    )

    @property
    def is_final(self) -> bool:
        return self.status == RevisionStatus.FINAL

    @property
    def reason_label(self) -> str:
        try:
            return str(REASON_LABELS[RevisionReason(self.reason)])
        except ValueError:
            return self.reason


class PublishedRow(db.Model):
    """A center's figures as one revision published them (a frozen copy of its snapshot).

    ``figures`` holds every name of ``ScoreSnapshot.FIGURES``; the columns the board
    filters and orders by are also plain columns. Reading ``row.quality`` etc. reads the
    copy, so a published row stands in for a snapshot on every page and file.
    """

    __tablename__ = "published_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("result_revisions.id", ondelete="CASCADE")
    )
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(sa.String(15))
    classification: Mapped[str | None] = mapped_column(sa.String(10))
    rank: Mapped[int | None]
    figures: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    revision: Mapped[ResultRevision] = relationship()
    center: Mapped[Center] = relationship()

    __table_args__ = (sa.UniqueConstraint("revision_id", "center_id"),)

    def __getattr__(self, name: str):
        # Only called when normal lookup fails: the frozen figures of the snapshot.
        if name.startswith("_"):
            raise AttributeError(name)
        figures = self.__dict__.get("figures")
        if figures is None or name not in figures:
            raise AttributeError(name)
        value = figures[name]
        if name == "final_on" and isinstance(value, str):
            return date.fromisoformat(value)
        return value

    under_appeal = ScoreSnapshot.under_appeal
    state_label = ScoreSnapshot.state_label
    class_label = ScoreSnapshot.class_label
    gap = ScoreSnapshot.gap
    threshold = ScoreSnapshot.threshold
    below_threshold = ScoreSnapshot.below_threshold
