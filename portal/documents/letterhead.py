"""Who issues the documents, who signs them and how they are numbered: settings an
administrator edits (``/documents/settings``), audited, stored in the settings table as
two JSON rows (``documents`` for the letterhead, ``documents.numbers`` for the counters).

The defaults name Phú Thọ's People's Committee and its Office with empty signer names:
the province fills in its own before issuing anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import services as audit
from ..extensions import db
from ..settings.models import Setting
from ..shared.errors import PermissionDenied, PortalError

KEY = "documents"
NUMBERS_KEY = "documents.numbers"


class LetterheadError(PortalError):
    """A letterhead value is missing or too long."""


#: The document kinds, their labels and the default symbol after the number ("Số: 12/BC-VP").
KINDS: dict[str, Any] = {
    "visit_record": _l("On-site visit record"),
    "inspection_report": _l("Inspection report"),
    "center_report": _l("Center report"),
    "province_summary": _l("Province summary report"),
    "decision": _l("Draft decision"),
}

DEFAULTS: dict[str, str] = {
    "parent_agency": "UBND TỈNH PHÚ THỌ",
    "agency": "VĂN PHÒNG",
    "decision_agency": "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ",
    "place": "Phú Thọ",
    "signer_title": "CHÁNH VĂN PHÒNG",
    "signer_name": "",
    "decision_authority": "TM. ỦY BAN NHÂN DÂN",
    "decision_signer_title": "CHỦ TỊCH",
    "decision_signer_name": "",
    "recipients": "UBND tỉnh (để báo cáo);\nCác sở, ban, ngành;\nLưu: VT.",
    "decision_recipients": "Như Điều 3;\nVăn phòng UBND tỉnh;\nLưu: VT.",
    "symbol_visit_record": "BB-VP",
    "symbol_inspection_report": "BC-VP",
    "symbol_center_report": "BC-VP",
    "symbol_province_summary": "BC-VP",
    "symbol_decision": "QĐ-UBND",
}

#: Labels of the fields on the settings page (the form lists them in this order).
LABELS: dict[str, Any] = {
    "parent_agency": _l("Parent agency (upper line of the left block)"),
    "agency": _l("Issuing agency"),
    "decision_agency": _l("Agency issuing the decision"),
    "place": _l("Place name in the date line"),
    "signer_title": _l("Signer's title (reports)"),
    "signer_name": _l("Signer's name (reports)"),
    "decision_authority": _l("Signing authority of the decision (e.g. TM. ...)"),
    "decision_signer_title": _l("Signer's title (decision)"),
    "decision_signer_name": _l("Signer's name (decision)"),
    "recipients": _l("Recipients of reports, one per line"),
    "decision_recipients": _l("Recipients of the decision, one per line"),
    "symbol_visit_record": _l("Symbol of the on-site visit record"),
    "symbol_inspection_report": _l("Symbol of the inspection report"),
    "symbol_center_report": _l("Symbol of the center report"),
    "symbol_province_summary": _l("Symbol of the province summary report"),
    "symbol_decision": _l("Symbol of the decision"),
}

MAX_LENGTH = 300


@dataclass(frozen=True)
class Letterhead:
    values: dict[str, str]

    def __getattr__(self, name: str) -> str:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def symbol(self, kind: str) -> str:
        return self.values[f"symbol_{kind}"]

    def recipient_lines(self, kind: str) -> list[str]:
        text = self.values["decision_recipients" if kind == "decision" else "recipients"]
        return [line.strip() for line in text.splitlines() if line.strip()]


def _row(key: str) -> Setting | None:
    return db.session.get(Setting, key)


def _read(key: str) -> dict:
    row = _row(key)
    return json.loads(row.value) if row is not None else {}


def _write(key: str, value: dict) -> None:
    row = _row(key)
    if row is None:
        db.session.add(Setting(key=key, value=json.dumps(value, ensure_ascii=False)))
    else:
        row.value = json.dumps(value, ensure_ascii=False)


def load() -> Letterhead:
    """The effective letterhead: the stored values over the defaults."""
    stored = _read(KEY)
    return Letterhead({key: str(stored.get(key, default)) for key, default in DEFAULTS.items()})


def next_numbers() -> dict[str, int]:
    stored = _read(NUMBERS_KEY)
    return {kind: int(stored.get(kind, 1)) for kind in KINDS}


def _require_admin(actor) -> None:
    if getattr(actor, "role", None) != "admin" or not getattr(actor, "is_active", False):
        raise PermissionDenied(_("Only administrators can change the settings."))


def update(*, actor, values: dict[str, str], numbers: dict[str, int]) -> dict[str, list]:
    """Store the changed letterhead values and next numbers; audited as ``old → new``."""
    _require_admin(actor)
    current, changes = load().values, {}
    stored = dict(_read(KEY))
    for key, value in values.items():
        value = (value or "").strip()
        if key not in DEFAULTS or value == current[key]:
            continue
        if len(value) > MAX_LENGTH:
            raise LetterheadError(_("A letterhead value is at most 300 characters long."))
        if key.startswith("symbol_") and not value:
            raise LetterheadError(_("Every document kind needs a symbol."))
        stored[key] = value
        changes[key] = [current[key], value]
    old_numbers = next_numbers()
    new_numbers = dict(old_numbers)
    for kind, number in numbers.items():
        if kind in KINDS and number is not None and number != old_numbers[kind]:
            if number < 1:
                raise LetterheadError(_("A document number starts at 1."))
            new_numbers[kind] = int(number)
            changes[f"next_{kind}"] = [old_numbers[kind], int(number)]
    if changes:
        _write(KEY, stored)
        _write(NUMBERS_KEY, new_numbers)
        db.session.flush()
        audit.record(
            actor=actor, action="documents.settings", object_type="settings", summary=changes
        )
    return changes


def take_number(kind: str, *, actor, subject: str) -> int:
    """The next number of ``kind``, taken for an issued document (audited with its subject).

    The counter row is locked (``FOR UPDATE`` on PostgreSQL) so that two people issuing at
    once never get the same number; the caller commits.
    """
    row = db.session.scalar(sa.select(Setting).where(Setting.key == NUMBERS_KEY).with_for_update())
    numbers = next_numbers()
    number = numbers[kind]
    numbers[kind] = number + 1
    if row is None:
        db.session.add(Setting(key=NUMBERS_KEY, value=json.dumps(numbers)))
    else:
        row.value = json.dumps(numbers)
    db.session.flush()
    audit.record(
        actor=actor,
        action="documents.issued",
        object_type="document",
        summary={"document_kind": kind, "document_number": number, "document_subject": subject},
    )
    return number
