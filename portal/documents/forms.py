"""The letterhead settings form and the (empty, CSRF-only) form that issues a document."""

from __future__ import annotations

from wtforms import IntegerField, StringField, TextAreaField

from ..shared.forms import BaseForm, length, number_range, optional, required
from .letterhead import DEFAULTS, KINDS, LABELS, MAX_LENGTH


class IssueForm(BaseForm):
    """Issuing takes the next number: a POST with a CSRF token and nothing else."""


def _field(key: str):
    validators = [length(max=MAX_LENGTH)]
    if key.startswith("symbol_") or key in ("agency", "place", "decision_agency"):
        validators.insert(0, required())
    else:
        validators.insert(0, optional())
    kind = TextAreaField if key.endswith("recipients") else StringField
    return kind(LABELS[key], validators=validators)


class LetterheadForm(BaseForm):
    pass


for _key in DEFAULTS:
    setattr(LetterheadForm, _key, _field(_key))
for _kind, _label in KINDS.items():
    setattr(
        LetterheadForm,
        f"next_{_kind}",
        IntegerField(_label, validators=[required(), number_range(min=1, max=999_999)]),
    )
