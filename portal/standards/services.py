"""Importing and reading standards. Flushes, never commits; every import is audited."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import services as audit
from ..audit.services import Actor
from ..extensions import db
from ..i18n import format_number
from .loader import StandardFileError, StandardSpec, parse_standard
from .models import CONFIDENCE_LABELS, Area, Criterion, Standard, StandardVersion, _pick

DEFAULT_STANDARD_FILE = Path(__file__).parent / "data" / "mot_cua_so_phu_tho.yaml"


#: A version's texts, stored from the file as they are and compared between versions.
HEADER_FIELDS = ("name_vi", "name_en", "description_vi", "description_en")
#: A criterion's fields stored from the file as they are, and compared between versions
#: (their names as shown to admins in :data:`FIELD_LABELS`).
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


def _copied(spec: object, names: tuple[str, ...]) -> dict[str, object]:
    """The fields ``names`` of a spec from the file, as keywords for its row."""
    return {name: getattr(spec, name) for name in names}


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
        checksum=spec.checksum,
        source_file=str(source_file)[:300],
        **_copied(spec, HEADER_FIELDS),
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
                    evidence=",".join(c.evidence),
                    **_copied(c, DIFF_FIELDS),
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

FIELD_LABELS = {
    "name_vi": _l("Name (Vietnamese)"),
    "name_en": _l("Name (English)"),
    "description_vi": _l("Description (Vietnamese)"),
    "description_en": _l("Description (English)"),
    "weight": _l("Weight"),
    "area": _l("Area"),
    "text_vi": _l("Text (Vietnamese)"),
    "text_en": _l("Text (English)"),
    "legal_basis": _l("Legal basis"),
    "confidence": _l("Confidence of the basis"),
    "answer_type": _l("Answer type"),
    "target": _l("Target"),
    "unit": _l("Unit"),
    "points": _l("Points"),
    "na_allowed": _l("“Not applicable” allowed"),
    "mandatory": _l("Mandatory gate"),
    "digital": _l("Digital criterion"),
    "auto_source": _l("Automatic source"),
}
ANSWER_TYPE_LABELS = {
    "level": _l("met, partly met or not met"),
    "number": _l("a number against a target"),
    "yes_no": _l("yes or no"),
}


def shown_value(field_name: str, value: object) -> str:
    """A compared value as an admin reads it: labels for codes, numbers in the request's
    format (a decimal comma in Vietnamese), yes or no for flags."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return format_number(value, 2, trim=True)
    if field_name == "confidence" and value in CONFIDENCE_LABELS:
        # The file's own word beside the label: it is what the admin edits.
        return f"{CONFIDENCE_LABELS[value]} ({value})"
    if field_name == "answer_type" and value in ANSWER_TYPE_LABELS:
        return f"{ANSWER_TYPE_LABELS[value]} ({value})"
    return str(value)


@dataclass(frozen=True)
class Change:
    kind: str  # "added", "removed", "changed", "weight", "header"
    code: str
    field: str = ""
    old: object = None
    new: object = None
    #: What ``code`` names: a criterion's text or an area's name, Vietnamese and English.
    text_vi: str = ""
    text_en: str = ""
    #: "criterion", "area" or "standard".
    subject: str = "criterion"

    @property
    def text(self) -> str:
        return _pick(self.text_vi, self.text_en)

    @property
    def field_label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))

    @property
    def old_shown(self) -> str:
        return shown_value(self.field, self.old)

    @property
    def new_shown(self) -> str:
        return shown_value(self.field, self.new)


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
    """What an uploaded file changes compared with ``old`` (areas, weights, criteria).

    Added and removed criteria carry their text and points, areas their name and weight,
    so that a reviewer needs neither file open."""
    if old is None:
        return [_criterion_change("added", c, "points", None, c.points) for c in new.criteria]
    changes: list[Change] = []
    for key in HEADER_FIELDS:
        if getattr(old, key) != getattr(new, key):
            changes.append(
                Change("header", "", key, getattr(old, key), getattr(new, key), subject="standard")
            )
    old_areas = {a.code: a for a in old.areas}
    new_areas = {a.code: a for a in new.areas}
    for area in new.areas:
        before = old_areas.get(area.code)
        names = {"text_vi": area.name_vi, "text_en": area.name_en, "subject": "area"}
        if before is None:
            changes.append(Change("added", area.code, "weight", None, area.weight, **names))
        elif before.weight != area.weight:
            changes.append(
                Change("weight", area.code, "weight", before.weight, area.weight, **names)
            )
    for code in sorted(old_areas.keys() - new_areas.keys()):
        area = old_areas[code]
        changes.append(
            Change(
                "removed",
                code,
                "weight",
                area.weight,
                None,
                text_vi=area.name_vi,
                text_en=area.name_en,
                subject="area",
            )
        )
    old_criteria = {c.code: c for c in old.criteria}
    new_codes = set()
    for area in new.areas:
        for spec in area.criteria:
            new_codes.add(spec.code)
            before = old_criteria.get(spec.code)
            if before is None:
                changes.append(_criterion_change("added", spec, "points", None, spec.points))
                continue
            for key in DIFF_FIELDS:
                old_value = getattr(before, key)
                new_value = getattr(spec, key)
                if old_value != new_value and not (
                    old_value in (None, "") and new_value in (None, "")
                ):
                    changes.append(_criterion_change("changed", spec, key, old_value, new_value))
            if before.area.code != area.code:
                changes.append(
                    _criterion_change(
                        "changed",
                        spec,
                        "area",
                        _area_label(before.area.code, before.area.name_vi, before.area.name_en),
                        _area_label(area.code, area.name_vi, area.name_en),
                    )
                )
    for code in sorted(old_criteria.keys() - new_codes):
        before = old_criteria[code]
        changes.append(_criterion_change("removed", before, "points", before.points, None))
    return changes


def _criterion_change(kind: str, criterion, field_name: str, old, new) -> Change:
    """A change of a criterion (from the file or the database), with its text."""
    return Change(kind, criterion.code, field_name, old, new, criterion.text_vi, criterion.text_en)


def _area_label(code: str, name_vi: str, name_en: str) -> str:
    return f"{_pick(name_vi, name_en)} ({code})"
