from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField

from ..shared.forms import BaseForm, date_in_range, length, optional


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    action = StringField(_l("Action"), validators=[optional(), length(max=60)])
    object_type = StringField(_l("Object type"), validators=[optional(), length(max=40)])
    actor = StringField(_l("Actor (username)"), validators=[optional(), length(max=64)])
    center_code = StringField(_l("Center code"), validators=[optional(), length(max=10)])
    date_from = DateField(_l("From"), validators=[optional(), date_in_range()])
    date_to = DateField(_l("To"), validators=[optional(), date_in_range()])
