"""Period form, the period filter, and reading the checklist's dynamic answer fields."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField
from wtforms.validators import ValidationError

from ..shared.forms import BaseForm, ConfirmForm, choices, length, regexp, required
from ..standards.models import Criterion
from .models import PERIOD_KIND_LABELS
from .services import AnswerInput

__all__ = ["ConfirmForm", "PeriodForm", "PeriodPickForm", "field_name", "read_answers"]


class PeriodForm(BaseForm):
    code = StringField(
        _l("Code"),
        validators=[
            required(),
            length(max=20),
            regexp(
                r"[A-Za-z0-9][A-Za-z0-9._-]*",
                message=_l("Use letters, digits, dots and dashes only."),
            ),
        ],
        description=_l("For example: 2026-Q1 or 2026"),
    )
    name = StringField(_l("Name"), validators=[required(), length(max=120)])
    kind = SelectField(
        _l("Kind"), choices=choices([(k.value, label) for k, label in PERIOD_KIND_LABELS.items()])
    )
    opens_on = DateField(_l("Opens on"), validators=[required()])
    closes_on = DateField(_l("Closes on (inclusive)"), validators=[required()])
    standard_version_id = SelectField(_l("Standard version"), coerce=int)
    #: Asked for only when the dates overlap another period or open in the past.
    confirm_dates = BooleanField(_l("I have checked these dates: save the period anyway"))
    submit = SubmitField(_l("Save"))

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing date must be on or after the opening date."))


class PeriodPickForm(BaseForm):
    class Meta:
        csrf = False

    period = SelectField(_l("Period"), coerce=int)


def field_name(criterion_id: int, part: str) -> str:
    return f"c{criterion_id}-{part}"


def read_answers(form: MultiDict, criteria: Iterable[Criterion]) -> dict[int, AnswerInput]:
    """Answers for the criteria whose ``c<id>-present`` marker was sent."""
    out: dict[int, AnswerInput] = {}
    for c in criteria:
        if not form.get(field_name(c.id, "present")):
            continue
        out[c.id] = AnswerInput(
            choice=form.get(field_name(c.id, "choice")) or None,
            number=form.get(field_name(c.id, "number")) or None,
            not_applicable=bool(form.get(field_name(c.id, "na"))),
            note=form.get(field_name(c.id, "note"), ""),
        )
    return out
