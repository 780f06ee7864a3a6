"""Queue filters, visits, corrective actions, and reading the per-criterion verdict fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField

from ..assessments.services import AnswerInput
from ..shared.forms import BaseForm, choices, length, required
from .appeals import AppealDecision
from .models import QUEUE_STATUS_LABELS
from .queue import QUEUE_SORTS
from .review import VerdictInput

SORT_LABELS = {
    "age": _l("Oldest submission first"),
    "name": _l("Center name"),
    "self_score": _l("Self-assessed score"),
    "verified": _l("Verified score"),
    "status": _l("Status"),
}


class QueueFilterForm(BaseForm):
    class Meta:
        csrf = False

    period = SelectField(_l("Period"), coerce=int)
    q = StringField(_l("Search a center"), validators=[length(max=100)])
    status = SelectField(
        _l("Status"),
        choices=choices(
            [("", _l("All statuses"))]
            + [(k.value, label) for k, label in QUEUE_STATUS_LABELS.items()]
        ),
        default="",
    )
    level = SelectField(
        _l("Level"),
        choices=choices(
            [("", _l("All levels")), ("province", _l("Province")), ("commune", _l("Commune"))]
        ),
        default="",
    )
    area = SelectField(_l("Kind of unit"), default="")
    standardized = SelectField(
        _l("Standardized"),
        choices=choices(
            [("", _l("All")), ("yes", _l("Standardized")), ("no", _l("Not standardized"))]
        ),
        default="",
    )
    sort = SelectField(
        _l("Sort by"), choices=choices([(k, SORT_LABELS[k]) for k in QUEUE_SORTS]), default="age"
    )


class VisitForm(BaseForm):
    visited_on = DateField(_l("Date of the visit"), validators=[required()])
    team = TextAreaField(
        _l("Team members"),
        validators=[required(), length(max=2000)],
        description=_l("One name and position per line."),
    )
    summary = TextAreaField(_l("General findings"), validators=[length(max=2000)])
    submit = SubmitField(_l("Save the visit"))


class ActionForm(BaseForm):
    criterion_id = SelectField(_l("Criterion"), coerce=int)
    description = TextAreaField(_l("What must be done"), validators=[required(), length(max=2000)])
    owner = StringField(_l("Responsible person"), validators=[required(), length(max=120)])
    due_on = DateField(_l("Due date"), validators=[required()])
    submit = SubmitField(_l("Add the corrective action"))


def verdict_input(form: MultiDict) -> VerdictInput:
    return VerdictInput(
        verdict=form.get("verdict", ""),
        reason=form.get("reason", ""),
        choice=form.get("choice") or None,
        number=form.get("number") or None,
        not_applicable=bool(form.get("na")),
    )


def answer_input(form: MultiDict) -> AnswerInput:
    return AnswerInput(
        choice=form.get("choice") or None,
        number=form.get("number") or None,
        not_applicable=bool(form.get("na")),
        note=form.get("note", ""),
    )


def appeal_reasons(form: MultiDict) -> dict[int, str]:
    """``reason-<criterion id>`` fields that were filled in."""
    out = {}
    for key, value in form.items():
        if key.startswith("reason-") and key[7:].isdigit() and value.strip():
            out[int(key[7:])] = value
    return out


def appeal_decisions(form: MultiDict, criterion_ids) -> dict[int, AppealDecision]:
    out = {}
    for cid in criterion_ids:
        decision = form.get(f"decision-{cid}")
        if decision not in ("upheld", "rejected"):
            continue
        out[cid] = AppealDecision(
            upheld=decision == "upheld",
            note=form.get(f"note-{cid}", ""),
            choice=form.get(f"choice-{cid}") or None,
            number=form.get(f"number-{cid}") or None,
            not_applicable=bool(form.get(f"na-{cid}")),
        )
    return out
