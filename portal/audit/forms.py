from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField

from ..shared.forms import BaseForm, choices, date_in_range, length, optional
from .sentences import action_choices


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    # Free values stay allowed: ``?action=rating.`` filters by prefix (links, bookmarks).
    action = SelectField(_l("Action"), validators=[optional()], validate_choice=False)
    actor = StringField(_l("Who (username)"), validators=[optional(), length(max=64)])
    center_code = StringField(
        _l("Center (name or code)"),
        validators=[optional(), length(max=300)],
        render_kw={"list": "center-options", "autocomplete": "off", "data-center-picker": ""},
    )
    date_from = DateField(_l("From"), validators=[optional(), date_in_range()])
    date_to = DateField(_l("To"), validators=[optional(), date_in_range()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = choices([("", _l("All actions")), *action_choices()])
