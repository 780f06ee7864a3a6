"""Importing and reading standards. Flushes, never commits; every import is audited."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from ..audit import services as audit
from ..audit.services import Actor
from ..extensions import db
from .loader import StandardFileError, StandardSpec, parse_standard
from .models import Area, Criterion, Standard, StandardVersion

DEFAULT_STANDARD_FILE = Path(__file__).parent / "data" / "mot_cua_so_phu_tho.yaml"


class StandardConflict(StandardFileError):
    """The version already exists with different content."""


@dataclass(frozen=True)
class ImportResult:
    version: StandardVersion
    created: bool


def load_file(path: str | Path) -> StandardSpec:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardFileError([f"cannot read {path}: {exc}"]) from exc
    return parse_standard(text)


def import_standard(
    spec: StandardSpec, *, actor: Actor | None, source_file: str = ""
) -> ImportResult:
    """Create the version described by ``spec``; identical content already imported is a no-op."""
    standard = db.session.scalar(sa.select(Standard).where(Standard.code == spec.code))
    if standard is None:
        standard = Standard(code=spec.code)
        db.session.add(standard)
        db.session.flush()
    existing = db.session.scalar(
        sa.select(StandardVersion).where(
            StandardVersion.standard_id == standard.id, StandardVersion.version == spec.version
        )
    )
    if existing is not None:
        if existing.checksum == spec.checksum:
            return ImportResult(existing, created=False)
        raise StandardConflict(
            [
                f"standard {spec.code} version {spec.version} is already imported with "
                "different content; give the changed standard a new version"
            ]
        )
    version = StandardVersion(
        standard=standard,
        version=spec.version,
        name_vi=spec.name_vi,
        name_en=spec.name_en,
        description_vi=spec.description_vi,
        description_en=spec.description_en,
        checksum=spec.checksum,
        source_file=str(source_file)[:300],
    )
    db.session.add(version)
    position = 0
    for a_pos, a in enumerate(spec.areas, start=1):
        area = Area(
            version=version,
            code=a.code,
            name_vi=a.name_vi,
            name_en=a.name_en,
            weight=a.weight,
            position=a_pos,
        )
        db.session.add(area)
        for c in a.criteria:
            position += 1
            db.session.add(
                Criterion(
                    version=version,
                    area=area,
                    code=c.code,
                    position=position,
                    text_vi=c.text_vi,
                    text_en=c.text_en,
                    legal_basis=c.legal_basis,
                    confidence=c.confidence,
                    answer_type=c.answer_type,
                    target=c.target,
                    unit=c.unit,
                    points=c.points,
                    na_allowed=c.na_allowed,
                    mandatory=c.mandatory,
                    digital=c.digital,
                    evidence=",".join(c.evidence),
                    auto_source=c.auto_source,
                )
            )
    db.session.flush()
    audit.record(
        actor=actor,
        action="standard.import",
        object_type="standard_version",
        object_id=version.id,
        summary={
            "standard": spec.code,
            "version": spec.version,
            "checksum": spec.checksum,
            "areas": {a.code: a.weight for a in spec.areas},
            "criteria": len(spec.criteria),
        },
    )
    return ImportResult(version, created=True)


def list_versions() -> list[StandardVersion]:
    return list(
        db.session.scalars(
            sa.select(StandardVersion)
            .join(Standard)
            .order_by(Standard.code, StandardVersion.imported_at.desc(), StandardVersion.id.desc())
        )
    )


# Uploading a new version from the portal --------------------------------------------------

#: Criterion fields compared between versions, with their names as shown to admins.
DIFF_FIELDS = (
    "text_vi",
    "text_en",
    "legal_basis",
    "confidence",
    "answer_type",
    "target",
    "unit",
    "points",
    "na_allowed",
    "mandatory",
    "digital",
    "auto_source",
)


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed", "changed", "weight", "header"
    code: str
    field: str = ""
    old: object = None
    new: object = None


def previous_version(code: str) -> StandardVersion | None:
    """The newest imported version of the standard with this code."""
    return db.session.scalar(
        sa.select(StandardVersion)
        .join(Standard)
        .where(Standard.code == code)
        .order_by(StandardVersion.imported_at.desc(), StandardVersion.id.desc())
        .limit(1)
    )


def diff_versions(old: StandardVersion | None, new: StandardSpec) -> list[Change]:
    """What an uploaded file changes compared with ``old`` (areas, weights, criteria)."""
    if old is None:
        return [Change("added", c.code) for c in new.criteria]
    changes: list[Change] = []
    for key in ("name_vi", "name_en", "description_vi", "description_en"):
        if getattr(old, key) != getattr(new, key):
            changes.append(Change("header", "", key, getattr(old, key), getattr(new, key)))
    old_weights = {a.code: a.weight for a in old.areas}
    for area in new.areas:
        if area.code not in old_weights:
            changes.append(Change("added", area.code, "area", None, area.weight))
        elif old_weights[area.code] != area.weight:
            changes.append(
                Change("weight", area.code, "weight", old_weights[area.code], area.weight)
            )
    for code in old_weights.keys() - {a.code for a in new.areas}:
        changes.append(Change("removed", code, "area"))
    old_criteria = {c.code: c for c in old.criteria}
    new_codes = set()
    for spec in new.criteria:
        new_codes.add(spec.code)
        before = old_criteria.get(spec.code)
        if before is None:
            changes.append(Change("added", spec.code))
            continue
        for key in DIFF_FIELDS:
            old_value = getattr(before, key)
            new_value = getattr(spec, key)
            if old_value != new_value and not (old_value in (None, "") and new_value in (None, "")):
                changes.append(Change("changed", spec.code, key, old_value, new_value))
        area_code = before.area.code
        new_area = next(a.code for a in new.areas if spec in a.criteria)
        if area_code != new_area:
            changes.append(Change("changed", spec.code, "area", area_code, new_area))
    for code in sorted(old_criteria.keys() - new_codes):
        changes.append(Change("removed", code))
    return changes
