"""Reading and validating a standard file (YAML), with errors that name the line and criterion.

Pure: no Flask, no database. :func:`load_standard` returns a :class:`StandardSpec`
or raises :class:`StandardFileError` listing every problem found.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import yaml

CONFIDENCES = ("verified", "secondary", "province_practice", "unverified")
ANSWER_TYPES = ("level", "number", "yes_no")
EVIDENCE_KINDS = ("photo", "document", "system_data", "observation")
#: Figures the portal computes from its own data (see ``assessments.sources``).
AUTO_SOURCES = (
    "counters_active",
    "officers_active",
    "opening_hours_published",
    "qr_ratings_collected",
    "satisfaction_csat",
    "dossiers_on_time",
    "dossiers_online_share",
)
#: Texts replaced by the 2025 reform (DOMAIN.md §0): Decree 61/2018 and Decree 107/2021 by
#: Decree 118/2025; Circular 01/2018 guided Decree 61 (most probably replaced by Circular
#: 03/2025, not confirmed); whether Decision 06/2008 is still in force was not verified. A
#: criterion citing one of them is at most "unverified" as current law.
REPLACED_TEXTS: dict[str, re.Pattern[str]] = {
    "ND-61-2018": re.compile(r"\b61/2018\b"),
    "ND-107-2021": re.compile(r"\b107/2021\b"),
    "TT-01-2018": re.compile(r"\b0?1/2018/TT\b|\bTT\s*0?1/2018\b", re.IGNORECASE),
    "QD-06-2008": re.compile(r"\b0?6/2008\b"),
}
WEIGHT_TOTAL = 100.0
MAX_TEXT = 2000


def replaced_texts(legal_basis: str) -> tuple[str, ...]:
    """The replaced texts (keys of :data:`REPLACED_TEXTS`) a legal basis cites."""
    return tuple(key for key, pattern in REPLACED_TEXTS.items() if pattern.search(legal_basis))


def basis_confidence(confidence: str, legal_basis: str) -> str:
    """The confidence to show: "unverified" whenever the basis cites a replaced text."""
    return "unverified" if replaced_texts(legal_basis) else confidence


def basis_warnings(spec: StandardSpec) -> list[str]:
    """Criteria labelled better than "unverified" although they cite a replaced text."""
    return [
        f"criterion {c.code}: labelled '{c.confidence}' but cites "
        f"{', '.join(replaced_texts(c.legal_basis))}, replaced or not verified as current law; "
        "label it 'unverified' and say what replaced it"
        + (" (a mandatory gate)" if c.mandatory else "")
        for c in spec.criteria
        if c.confidence != "unverified" and replaced_texts(c.legal_basis)
    ]


class StandardFileError(Exception):
    """The file is not a valid standard. ``problems`` lists each fault with its line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _LineDict(dict):
    line: int = 0


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe loader whose mappings remember the line they start on (1-based); libyaml's
    parser where PyYAML was built with it (ten times faster than the pure-Python one)."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    return mapping


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    text_vi: str
    text_en: str
    legal_basis: str
    confidence: str
    answer_type: str
    points: float
    target: float | None = None
    unit: str = ""
    na_allowed: bool = False
    mandatory: bool = False
    digital: bool = False
    evidence: tuple[str, ...] = ()
    auto_source: str | None = None


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name_vi: str
    name_en: str
    weight: float
    criteria: tuple[CriterionSpec, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StandardSpec:
    code: str
    version: str
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    areas: tuple[AreaSpec, ...]

    @property
    def criteria(self) -> list[CriterionSpec]:
        return [c for a in self.areas for c in a.criteria]

    @property
    def checksum(self) -> str:
        canonical = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class _Collector:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, line: int, where: str, message: str) -> None:
        self.problems.append(f"line {line}: {where}: {message}")


def _text(data: dict, key: str, errors: _Collector, where: str, *, required: bool = True) -> str:
    value = data.get(key)
    line = getattr(data, "line", 0)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(line, where, f"'{key}' is required")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        errors.add(line, where, f"'{key}' must be text")
        return ""
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        errors.add(line, where, f"'{key}' is longer than {MAX_TEXT} characters")
    return text


def _number(data: dict, key: str, errors: _Collector, where: str) -> float | None:
    value = data.get(key)
    line = getattr(data, "line", 0)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        errors.add(line, where, f"'{key}' must be a number, not {value!r}")
        return None
    return float(value)


def _flag(data: dict, key: str, errors: _Collector, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        errors.add(getattr(data, "line", 0), where, f"'{key}' must be true or false")
        return False
    return value


def _unknown_keys(data: dict, allowed: set[str], errors: _Collector, where: str) -> None:
    for key in sorted(set(data) - allowed, key=str):
        errors.add(getattr(data, "line", 0), where, f"unknown key '{key}'")


CRITERION_KEYS = {
    "code",
    "text_vi",
    "text_en",
    "legal_basis",
    "confidence",
    "answer",
    "target",
    "unit",
    "points",
    "na_allowed",
    "mandatory",
    "digital",
    "evidence",
    "auto_source",
}


def _criterion(data: Any, errors: _Collector, area_code: str, index: int, seen: set[str]):
    where = f"area '{area_code}', criterion #{index}"
    if not isinstance(data, dict):
        errors.add(0, where, "each criterion must be a mapping of keys")
        return None
    line = data.line
    code = _text(data, "code", errors, where)
    if code:
        where = f"criterion {code}"
        if code in seen:
            errors.add(line, where, "duplicate criterion code")
        seen.add(code)
    _unknown_keys(data, CRITERION_KEYS, errors, where)
    text_vi = _text(data, "text_vi", errors, where)
    text_en = _text(data, "text_en", errors, where)
    legal_basis = _text(data, "legal_basis", errors, where)
    confidence = _text(data, "confidence", errors, where)
    if confidence and confidence not in CONFIDENCES:
        errors.add(line, where, f"confidence must be one of {', '.join(CONFIDENCES)}")
    answer_type = _text(data, "answer", errors, where)
    if answer_type and answer_type not in ANSWER_TYPES:
        errors.add(line, where, f"answer must be one of {', '.join(ANSWER_TYPES)}")
    points = _number(data, "points", errors, where)
    if points is None and "points" not in data:
        errors.add(line, where, "'points' is required")
    elif points is not None and points < 0:
        errors.add(line, where, "points must be greater than 0")
    elif points == 0 and not data.get("auto_source"):
        errors.add(
            line,
            where,
            "points must be greater than 0 (0 only for an informational hint with an auto_source)",
        )
    target = _number(data, "target", errors, where)
    if answer_type == "number" and (target is None or target <= 0):
        errors.add(line, where, "a 'number' criterion needs a positive 'target'")
    if answer_type in ("level", "yes_no") and target is not None:
        errors.add(line, where, "'target' only applies to 'number' criteria")
    evidence = data.get("evidence", [])
    if not isinstance(evidence, list) or not all(isinstance(e, str) for e in evidence):
        errors.add(line, where, "'evidence' must be a list such as [photo, document]")
        evidence = []
    for kind in evidence:
        if kind not in EVIDENCE_KINDS:
            errors.add(line, where, f"unknown evidence '{kind}' ({', '.join(EVIDENCE_KINDS)})")
    auto_source = _text(data, "auto_source", errors, where, required=False) or None
    if auto_source and auto_source not in AUTO_SOURCES:
        errors.add(line, where, f"unknown auto_source '{auto_source}' ({', '.join(AUTO_SOURCES)})")
    return CriterionSpec(
        code=code,
        text_vi=text_vi,
        text_en=text_en,
        legal_basis=legal_basis,
        confidence=confidence,
        answer_type=answer_type,
        points=points or 0.0,
        target=target,
        unit=_text(data, "unit", errors, where, required=False),
        na_allowed=_flag(data, "na_allowed", errors, where),
        mandatory=_flag(data, "mandatory", errors, where),
        digital=_flag(data, "digital", errors, where),
        evidence=tuple(evidence),
        auto_source=auto_source,
    )


@functools.lru_cache(maxsize=8)
def parse_standard(text: str) -> StandardSpec:
    """Parse and validate the YAML text of a standard. The result is immutable, so the same
    text (the default standard, read again by every import) is parsed once per process."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        raise StandardFileError([f"line {line}: not valid YAML: {problem}"]) from exc
    errors = _Collector()
    if not isinstance(data, dict):
        raise StandardFileError(["line 1: the file must be a mapping with 'standard' and 'areas'"])
    _unknown_keys(data, {"standard", "areas"}, errors, "top level")
    head = data.get("standard")
    if not isinstance(head, dict):
        errors.add(data.line, "top level", "'standard' (code, version, names) is required")
        head = _LineDict()
    _unknown_keys(
        head,
        {"code", "version", "name_vi", "name_en", "description_vi", "description_en"},
        errors,
        "standard",
    )
    code = _text(head, "code", errors, "standard")
    version = _text(head, "version", errors, "standard")
    name_vi = _text(head, "name_vi", errors, "standard")
    name_en = _text(head, "name_en", errors, "standard")
    areas_data = data.get("areas")
    if not isinstance(areas_data, list) or not areas_data:
        errors.add(data.line, "top level", "'areas' must be a non-empty list")
        areas_data = []
    areas: list[AreaSpec] = []
    seen_areas: set[str] = set()
    seen_criteria: set[str] = set()
    for i, area in enumerate(areas_data, start=1):
        where = f"area #{i}"
        if not isinstance(area, dict):
            errors.add(data.line, where, "each area must be a mapping of keys")
            continue
        a_code = _text(area, "code", errors, where)
        if a_code:
            where = f"area '{a_code}'"
            if a_code in seen_areas:
                errors.add(area.line, where, "duplicate area code")
            seen_areas.add(a_code)
        _unknown_keys(area, {"code", "name_vi", "name_en", "weight", "criteria"}, errors, where)
        weight = _number(area, "weight", errors, where)
        if weight is None:
            if "weight" not in area:
                errors.add(area.line, where, "'weight' is required")
            weight = 0.0
        elif weight < 0:
            errors.add(area.line, where, "weight cannot be negative")
        crit_data = area.get("criteria")
        if not isinstance(crit_data, list) or not crit_data:
            errors.add(area.line, where, "'criteria' must be a non-empty list")
            crit_data = []
        criteria = [
            c
            for j, item in enumerate(crit_data, start=1)
            if (c := _criterion(item, errors, a_code or f"#{i}", j, seen_criteria)) is not None
        ]
        areas.append(
            AreaSpec(
                code=a_code,
                name_vi=_text(area, "name_vi", errors, where),
                name_en=_text(area, "name_en", errors, where),
                weight=weight,
                criteria=tuple(criteria),
            )
        )
    total = sum(a.weight for a in areas)
    if areas and not math.isclose(total, WEIGHT_TOTAL, abs_tol=1e-6):
        errors.add(data.line, "areas", f"area weights sum to {total:g}, they must sum to 100")
    if errors.problems:
        raise StandardFileError(errors.problems)
    return StandardSpec(
        code=code,
        version=version,
        name_vi=name_vi,
        name_en=name_en,
        description_vi=_text(head, "description_vi", errors, "standard", required=False),
        description_en=_text(head, "description_en", errors, "standard", required=False),
        areas=tuple(areas),
    )
