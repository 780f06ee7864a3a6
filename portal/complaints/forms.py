"""The manager's answer to a complaint, its assignment and the staff's internal notes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired

from ..shared.forms import BaseForm, length, required
from .models import NOTE_MAX_LENGTH


class AnswerForm(BaseForm):
    answer = TextAreaField(_l("Answer to the citizen"), validators=[required(), length(max=4000)])


class CaseAssignForm(BaseForm):
    """Who handles the complaint; the choices are set by the view (``0``: nobody)."""

    assignee = SelectField(
        _l("Assigned to"), coerce=int, validators=[InputRequired(message=_l("Choose a person."))]
    )


class CaseNoteForm(BaseForm):
    text = TextAreaField(_l("Internal note"), validators=[required(), length(max=NOTE_MAX_LENGTH)])
