"""The manager's answer to a complaint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from ..shared.forms import BaseForm, length, required


class AnswerForm(BaseForm):
    answer = TextAreaField(_l("Answer to the citizen"), validators=[required(), length(max=4000)])
