"""A standard, its immutable versions, their areas (with weights) and criteria."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..shared.timeutils import now_utc
from .loader import basis_confidence, replaced_texts


def _pick(vi: str, en: str) -> str:
    """The text for the current locale (criterion texts are data, not gettext strings)."""
    try:
        lang = str(get_locale() or "vi")
    except RuntimeError:  # pragma: no cover - outside a request
        lang = "vi"
    return en if lang == "en" and en else vi


class Confidence(enum.StrEnum):
    VERIFIED = "verified"
    SECONDARY = "secondary"
    PROVINCE_PRACTICE = "province_practice"
    UNVERIFIED = "unverified"


CONFIDENCE_LABELS = {
    Confidence.VERIFIED: _l("Verified legal basis"),
    Confidence.SECONDARY: _l("Secondary source, not checked against the legal text"),
    Confidence.PROVINCE_PRACTICE: _l("Province practice (no national rule found)"),
    Confidence.UNVERIFIED: _l("Basis not verified in the current law"),
}


#: What replaced each text of :data:`loader.REPLACED_TEXTS`, as far as DOMAIN.md §0 supports.
REPLACED_TEXT_NOTES = {
    "ND-61-2018": _l(
        "Decree 61/2018/NĐ-CP was replaced by Decree 118/2025/NĐ-CP (effective 01/07/2025); "
        "the corresponding article of Decree 118 was not verified."
    ),
    "ND-107-2021": _l(
        "Decree 107/2021/NĐ-CP amended Decree 61/2018; both were replaced by Decree "
        "118/2025/NĐ-CP; the corresponding article of Decree 118 was not verified."
    ),
    "TT-01-2018": _l(
        "Circular 01/2018/TT-VPCP guided Decree 61/2018, which Decree 118/2025/NĐ-CP replaced; "
        "it is most probably replaced by Circular 03/2025/TT-VPCP (not confirmed article by "
        "article)."
    ),
    "QD-06-2008": _l(
        "Whether Decision 06/2008/QĐ-BNV (the civil-servant card) is still in force, or what "
        "replaced it, was not verified."
    ),
}


class EvidenceKind(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"
    SYSTEM_DATA = "system_data"
    OBSERVATION = "observation"


EVIDENCE_KIND_LABELS = {
    EvidenceKind.PHOTO: _l("photo"),
    EvidenceKind.DOCUMENT: _l("document"),
    EvidenceKind.SYSTEM_DATA: _l("system data"),
    EvidenceKind.OBSERVATION: _l("inspector observation"),
}


class Standard(db.Model):
    __tablename__ = "standards"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    versions: Mapped[list[StandardVersion]] = relationship(
        back_populates="standard", order_by="StandardVersion.id"
    )


class StandardVersion(db.Model):
    """One imported version. Never edited: a changed standard is a new version."""

    __tablename__ = "standard_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    standard_id: Mapped[int] = mapped_column(sa.ForeignKey("standards.id", ondelete="RESTRICT"))
    version: Mapped[str] = mapped_column(sa.String(30))
    name_vi: Mapped[str] = mapped_column(sa.String(300))
    name_en: Mapped[str] = mapped_column(sa.String(300))
    description_vi: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    #: SHA-256 of the canonical content: re-importing identical content is a no-op.
    checksum: Mapped[str] = mapped_column(sa.String(64))
    source_file: Mapped[str] = mapped_column(sa.String(300), default="")
    imported_at: Mapped[datetime] = mapped_column(default=now_utc)

    standard: Mapped[Standard] = relationship(back_populates="versions")
    areas: Mapped[list[Area]] = relationship(
        back_populates="version", order_by="Area.position", cascade="all, delete-orphan"
    )
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="version", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("standard_id", "version"),)

    @property
    def name(self) -> str:
        return _pick(self.name_vi, self.name_en)

    @property
    def description(self) -> str:
        return _pick(self.description_vi, self.description_en)

    @property
    def label(self) -> str:
        return f"{self.standard.code} v{self.version}"

    def weights(self) -> dict[str, float]:
        return {a.code: a.weight for a in self.areas}

    @property
    def unverified_gates(self) -> list[Criterion]:
        """Mandatory gates whose legal basis is not verified as current law."""
        return [
            c for c in self.criteria if c.mandatory and c.basis_confidence == Confidence.UNVERIFIED
        ]


class Area(db.Model):
    """One of the standard's areas, with its weight (the weights of a version sum to 100)."""

    __tablename__ = "standard_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("standard_versions.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(sa.String(40))
    name_vi: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))
    weight: Mapped[float]
    position: Mapped[int]

    version: Mapped[StandardVersion] = relationship(back_populates="areas")
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="area", order_by="Criterion.position"
    )

    __table_args__ = (
        sa.UniqueConstraint("version_id", "code"),
        sa.CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    @property
    def name(self) -> str:
        return _pick(self.name_vi, self.name_en)


class Criterion(db.Model):
    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("standard_versions.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(
        sa.ForeignKey("standard_areas.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(sa.String(20))
    position: Mapped[int]
    text_vi: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str] = mapped_column(sa.Text)
    legal_basis: Mapped[str] = mapped_column(sa.String(500))
    confidence: Mapped[str] = mapped_column(sa.String(20))
    answer_type: Mapped[str] = mapped_column(sa.String(10))
    target: Mapped[float | None]
    unit: Mapped[str] = mapped_column(sa.String(20), default="")
    points: Mapped[float]
    na_allowed: Mapped[bool] = mapped_column(default=False)
    mandatory: Mapped[bool] = mapped_column(default=False)
    digital: Mapped[bool] = mapped_column(default=False)
    #: Comma-separated :class:`EvidenceKind` values.
    evidence: Mapped[str] = mapped_column(sa.String(100), default="")
    auto_source: Mapped[str | None] = mapped_column(sa.String(40))

    version: Mapped[StandardVersion] = relationship(back_populates="criteria")
    area: Mapped[Area] = relationship(back_populates="criteria")

    __table_args__ = (
        sa.UniqueConstraint("version_id", "code"),
        sa.CheckConstraint("answer_type IN ('level', 'number', 'yes_no')", name="answer_type"),
        sa.CheckConstraint(
            "confidence IN ('verified', 'secondary', 'province_practice', 'unverified')",
            name="confidence",
        ),
        sa.CheckConstraint("points >= 0", name="points_not_negative"),
        sa.CheckConstraint(
            "answer_type <> 'number' OR (target IS NOT NULL AND target > 0)",
            name="number_has_target",
        ),
    )

    @property
    def text(self) -> str:
        return _pick(self.text_vi, self.text_en)

    @property
    def evidence_kinds(self) -> list[str]:
        return [k for k in self.evidence.split(",") if k]

    @property
    def evidence_labels(self) -> list[str]:
        return [str(EVIDENCE_KIND_LABELS[EvidenceKind(k)]) for k in self.evidence_kinds]

    @property
    def is_informational(self) -> bool:
        """A hint shown for information: it scores nothing and needs no answer."""
        return self.points <= 0

    @property
    def basis_confidence(self) -> str:
        """The confidence shown: "unverified" when the basis cites a replaced text, whatever
        an older version of the standard labelled it."""
        return basis_confidence(self.confidence, self.legal_basis)

    @property
    def relabelled(self) -> bool:
        """This version labelled the basis better than it is (see :attr:`basis_confidence`)."""
        return self.basis_confidence != self.confidence

    @property
    def replaced_notes(self) -> list[str]:
        """What replaced each text the basis cites."""
        return [str(REPLACED_TEXT_NOTES[key]) for key in replaced_texts(self.legal_basis)]

    @property
    def confidence_label(self) -> str:
        return str(CONFIDENCE_LABELS[Confidence(self.basis_confidence)])

    @property
    def wants_photo_or_document(self) -> bool:
        return bool({"photo", "document"} & set(self.evidence_kinds))
