"""Forms of the administration pages that belong to no other feature (the settings, the
audit log's filter)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TimeField,
    widgets,
)

from ..audit.sentences import action_choices
from ..settings.services import DEFINITIONS
from ..shared.forms import (
    BaseForm,
    choices,
    date_in_range,
    length,
    number_range,
    optional,
    required,
)

#: What the settings page holds (also the page's summary line).
SETTINGS_SUMMARY = _l(
    "Complaint due days, alert thresholds, minimum ratings, opening hours and public holidays."
)

WEEKDAY_LABELS = (
    (0, _l("Monday")),
    (1, _l("Tuesday")),
    (2, _l("Wednesday")),
    (3, _l("Thursday")),
    (4, _l("Friday")),
    (5, _l("Saturday")),
    (6, _l("Sunday")),
)


def _setting_field(key: str, *, may_be_empty: bool = False):
    """A setting's field; ``may_be_empty``: left empty, the value in force stays."""
    d = DEFINITIONS[key]
    field_class = FloatField if d.kind is float else IntegerField
    return field_class(
        d.label,
        validators=[
            optional() if may_be_empty else required(),
            number_range(min=d.minimum, max=d.maximum),
        ],
        description=d.help,
        render_kw={"inputmode": "decimal" if d.kind is float else "numeric"},
    )


class SettingsForm(BaseForm):
    case_due_working_days = _setting_field("case_due_working_days")
    alert_dissatisfied_share = _setting_field("alert_dissatisfied_share")
    alert_min_count = _setting_field("alert_min_count")
    alert_window_days = _setting_field("alert_window_days")
    alert_silent_days = _setting_field("alert_silent_days")
    rating_min_n = _setting_field("rating_min_n")
    dossier_gap_points = _setting_field("dossier_gap_points")
    officer_band_excellent = _setting_field("officer_band_excellent", may_be_empty=True)
    officer_band_good = _setting_field("officer_band_good", may_be_empty=True)
    officer_band_done = _setting_field("officer_band_done", may_be_empty=True)
    submit = SubmitField(_l("Save settings"))


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class OpeningHoursForm(BaseForm):
    center = StringField(
        _l("Center (leave empty for the province default)"),
        validators=[optional(), length(max=300)],
        description=_l("Type part of the name (accents optional) or the code, then pick."),
        render_kw={"list": "center-options", "autocomplete": "off", "data-center-picker": ""},
    )
    province_code = IntegerField(
        _l("Province code (for the province default)"),
        validators=[optional(), number_range(min=1, max=99)],
    )
    opens = TimeField(_l("Opens at"), validators=[required()], format="%H:%M")
    closes = TimeField(_l("Closes at"), validators=[required()], format="%H:%M")
    closed_weekdays = CheckboxesField(
        _l("Closed on"), choices=choices(WEEKDAY_LABELS), coerce=int, validators=[optional()]
    )
    submit = SubmitField(_l("Save opening hours"))


class HolidayForm(BaseForm):
    day = DateField(_l("Day"), validators=[required()])
    name = StringField(_l("Name"), validators=[required(), length(max=120)])
    submit = SubmitField(_l("Add holiday"))


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
