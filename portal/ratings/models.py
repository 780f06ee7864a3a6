"""Citizen ratings, the QR codes that lead to them, receipts, nonces and daily rollups."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..centers.models import Center, Counter, Officer
from ..extensions import db
from ..shared.timeutils import now_utc


class Channel(enum.StrEnum):
    COUNTER_QR = "counter_qr"
    RECEIPT_QR = "receipt_qr"
    KIOSK = "kiosk"
    #: Signed and queued on an enrolled tablet, synced when the network is back.
    KIOSK_OFFLINE = "kiosk_offline"
    STAFF = "staff"


class FlagReview(enum.StrEnum):
    CONFIRMED = "confirmed"  # abuse: stays flagged, never counts
    REJECTED = "rejected"  # a false alarm: the rating counts


class DossierOutcome(enum.StrEnum):
    COMPLETED = "completed"
    REFUSED = "refused"
    RETURNED = "returned"


SCORES = ("1", "2", "3", "4", "5")

#: SIPAS's five factors, each optionally rated 1–5.
ASPECTS = ("access", "procedure", "staff", "result", "feedback")

#: "What went well / what didn't" chips: fixed codes, labels are in ``forms``.
CHIPS = ("fast", "clear_guidance", "polite", "clean", "slow", "unclear", "rude", "extra_papers")


class CounterQR(db.Model):
    """The current poster version of a counter's QR (no row: version 1).

    Reprinting bumps ``version``: every older poster's token and short code
    (both signed over the version) stop working at once. Tokens and short
    codes are derived, never stored, so showing a QR never writes.
    """

    __tablename__ = "counter_qrs"

    counter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=now_utc, onupdate=now_utc)

    counter: Mapped[Counter] = relationship()

    __table_args__ = (sa.CheckConstraint("version > 0", name="version_positive"),)


class Receipt(db.Model):
    """A single-use rating invitation bound to one dossier (mã hồ sơ).

    Its link and short code carry a random secret of which only a keyed hash is stored:
    the portal can show them once, to whoever issued the receipt (the staff member who
    printed the slip, or the calling software), and never again. A reprint draws a new
    secret, so the old slip's link and code stop working.
    """

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True
    )
    counter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("counters.id", ondelete="SET NULL")
    )
    officer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("officers.id", ondelete="SET NULL")
    )
    dossier_code: Mapped[str] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(12), default=DossierOutcome.COMPLETED)
    issued_via: Mapped[str] = mapped_column(sa.String(8))  # portal | api
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    api_key_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("api_keys.id", ondelete="SET NULL")
    )
    #: Keyed hashes (no address, no cookie) of the issuing staff session's network (/24,
    #: /64) and device cookie: a rating from either is held for an inspector.
    issuer_network: Mapped[str | None] = mapped_column(sa.String(32))
    issuer_device: Mapped[str | None] = mapped_column(sa.String(32))
    #: Keyed hash of the secret in the receipt's link and short code (NULL: a receipt
    #: issued before secrets, whose link is signed over its id alone).
    secret_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)

    center: Mapped[Center] = relationship()
    counter: Mapped[Counter | None] = relationship()
    officer: Mapped[Officer | None] = relationship()

    #: The secret itself, on the object of the request that issued or reprinted the
    #: receipt only (never stored): what its link and short code are made from.
    fresh_secret = None

    __table_args__ = (
        sa.CheckConstraint("outcome IN ('completed', 'refused', 'returned')", name="outcome"),
        sa.CheckConstraint("issued_via IN ('portal', 'api')", name="issued_via"),
        # "Is this network one the center's staff issue receipts from?"
        sa.Index("ix_receipts_center_id_issuer_network", "center_id", "issuer_network"),
    )


class StaffFingerprint(db.Model):
    """Where a center's staff work from: keyed hashes (no address, no cookie) of the
    network and device cookie of a staff member's sign-in or receipt issuance. A receipt
    rating from one of them is held for an inspector, whoever the officer."""

    __tablename__ = "staff_fingerprints"

    id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    network: Mapped[str | None] = mapped_column(sa.String(32))
    device: Mapped[str | None] = mapped_column(sa.String(32))
    seen_at: Mapped[datetime] = mapped_column(default=now_utc)

    __table_args__ = (
        sa.Index("ix_staff_fingerprints_center_id_network", "center_id", "network", "seen_at"),
        sa.Index("ix_staff_fingerprints_center_id_device", "center_id", "device", "seen_at"),
    )


class UsedNonce(db.Model):
    """A consumed form nonce. The primary key makes a second consumption fail."""

    __tablename__ = "used_nonces"

    nonce: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=now_utc, index=True)


def _partial_index(name: str, *columns: str, where: str) -> sa.Index:
    """An index of the rows matching ``where`` only, on SQLite and PostgreSQL alike."""
    return sa.Index(name, *columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))


class Rating(db.Model):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    center_id: Mapped[int] = mapped_column(sa.ForeignKey("centers.id", ondelete="CASCADE"))
    counter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("counters.id", ondelete="SET NULL")
    )
    officer_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("officers.id", ondelete="SET NULL"), index=True
    )
    receipt_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("receipts.id", ondelete="SET NULL"), unique=True
    )
    channel: Mapped[str] = mapped_column(sa.String(16))
    score: Mapped[int] = mapped_column(sa.SmallInteger)
    aspect_access: Mapped[int | None] = mapped_column(sa.SmallInteger)
    aspect_procedure: Mapped[int | None] = mapped_column(sa.SmallInteger)
    aspect_staff: Mapped[int | None] = mapped_column(sa.SmallInteger)
    aspect_result: Mapped[int | None] = mapped_column(sa.SmallInteger)
    aspect_feedback: Mapped[int | None] = mapped_column(sa.SmallInteger)
    chips: Mapped[str] = mapped_column(sa.String(200), default="")
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    comment_hidden: Mapped[bool] = mapped_column(default=False)
    #: Why an inspector hid the comment from public view (shown to staff).
    comment_hidden_reason: Mapped[str] = mapped_column(
        sa.String(500), default="", server_default=""
    )
    #: Fernet token of the E.164 number; only with consent.
    phone_encrypted: Mapped[str | None] = mapped_column(sa.String(200))
    #: Keyed hash of the E.164 number, to spot duplicates without decrypting.
    phone_hmac: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    consent_version: Mapped[str | None] = mapped_column(sa.String(20))
    #: Comma-separated anomaly flags; a flagged rating counts only once cleared.
    flags: Mapped[str] = mapped_column(sa.String(200), default="")
    #: A receipt rating sent soon after issuance from a network the center's staff issue
    #: receipts from (the "normal share" of such ratings is measured on this).
    from_center_network: Mapped[bool] = mapped_column(default=False)
    #: When and by whom an inspector reviewed the flags (confirmed or rejected them).
    cleared_at: Mapped[datetime | None]
    cleared_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    #: The inspector's verdict on the flags: ``confirmed`` abuse (never counts) or
    #: ``rejected`` (the rating counts); NULL with ``cleared_at`` set: cleared before verdicts.
    flag_review: Mapped[str | None] = mapped_column(sa.String(10))
    flag_review_reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    #: Local (Asia/Ho_Chi_Minh) calendar day, the rollup key.
    day: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    center: Mapped[Center] = relationship()
    counter: Mapped[Counter | None] = relationship()
    officer: Mapped[Officer | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
        sa.CheckConstraint(
            "channel IN ('counter_qr', 'receipt_qr', 'kiosk', 'kiosk_offline', 'staff')",
            name="channel",
        ),
        sa.CheckConstraint(
            "flag_review IS NULL OR flag_review IN ('confirmed', 'rejected')", name="flag_review"
        ),
        *(
            sa.CheckConstraint(
                f"aspect_{a} IS NULL OR aspect_{a} BETWEEN 1 AND 5", name=f"aspect_{a}_range"
            )
            for a in ASPECTS
        ),
        # Burst checks (per counter, recent) and the per-day counts of the receipts check.
        sa.Index("ix_ratings_counter_id_created_at", "counter_id", "created_at"),
        sa.Index("ix_ratings_center_id_created_at", "center_id", "created_at"),
        sa.Index("ix_ratings_center_id_day", "center_id", "day"),
        # Partial indexes (issue 11, "no page scans raw ratings"): the center page's review
        # queue and comments, the officer's own comments, and the retention purges read
        # only these few rows, whatever the size of the table.
        _partial_index("ix_ratings_flagged", "center_id", "created_at", where="flags <> ''"),
        # The province-wide queue of held ratings and its count: only the ratings waiting
        # for an inspector, oldest first, whatever the number of decided ones.
        _partial_index(
            "ix_ratings_held", "created_at", "center_id", where="flags <> '' AND cleared_at IS NULL"
        ),
        _partial_index("ix_ratings_commented", "center_id", "created_at", where="comment <> ''"),
        _partial_index(
            "ix_ratings_officer_commented", "officer_id", "created_at", where="comment <> ''"
        ),
        _partial_index("ix_ratings_comment_created_at", "created_at", where="comment <> ''"),
        _partial_index(
            "ix_ratings_phone_created_at", "created_at", where="phone_encrypted IS NOT NULL"
        ),
        # PostgreSQL only: a BRIN index on the insertion-ordered timestamp (a few pages for
        # 100 million rows) for time-window scans over every center.
        sa.Index("ix_ratings_created_at_brin", "created_at", postgresql_using="brin").ddl_if(
            dialect="postgresql"
        ),
    )

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(",") if f]

    @property
    def is_pending_review(self) -> bool:
        return bool(self.flags) and self.cleared_at is None

    @property
    def is_confirmed_abuse(self) -> bool:
        return self.flag_review == FlagReview.CONFIRMED

    @property
    def is_reportable(self) -> bool:
        """Counts in scores: a citizen's own rating, not held for review, not confirmed abuse."""
        return (
            self.channel != Channel.STAFF
            and not self.is_pending_review
            and not self.is_confirmed_abuse
        )

    @property
    def chip_list(self) -> list[str]:
        return [c for c in self.chips.split(",") if c]


class RollupScope(enum.StrEnum):
    CENTER = "center"
    COUNTER = "counter"
    OFFICER = "officer"
    #: A center's calendar month (``day`` is its first day, ``key_id`` the center): what
    #: trends over months and the province dashboard read, 30× fewer rows than the days.
    MONTH = "month"


class RatingRollup(db.Model):
    """Reportable ratings per day and per center, counter or officer, and per month and
    center (scope ``month``, on the first day of the month).

    Maintained in the transaction of every rating insert (and of every flag
    clearing), so ``SUM(n_k)`` equals the raw aggregate at every commit.
    """

    __tablename__ = "rating_rollups"

    day: Mapped[date] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    key_id: Mapped[int] = mapped_column(primary_key=True)
    center_id: Mapped[int] = mapped_column(
        sa.ForeignKey("centers.id", ondelete="CASCADE"), index=True
    )
    n1: Mapped[int] = mapped_column(default=0)
    n2: Mapped[int] = mapped_column(default=0)
    n3: Mapped[int] = mapped_column(default=0)
    n4: Mapped[int] = mapped_column(default=0)
    n5: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.CheckConstraint("scope IN ('center', 'counter', 'officer', 'month')", name="scope"),
        # One key's days (a center's trend, a ranking's window): the primary key leads with
        # the day and would read every scope's rows of the window. Covering on PostgreSQL.
        sa.Index(
            "ix_rating_rollups_scope_key_id_day",
            "scope",
            "key_id",
            "day",
            postgresql_include=["n1", "n2", "n3", "n4", "n5"],
        ),
    )

    @property
    def counts(self) -> tuple[int, int, int, int, int]:
        return (self.n1, self.n2, self.n3, self.n4, self.n5)
