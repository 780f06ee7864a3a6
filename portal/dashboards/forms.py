"""The province dashboard's filter form (GET, no CSRF: it changes nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField

from ..rankings.dashboards import SORTS
from ..rankings.models import CLASS_LABELS, STATE_LABELS
from ..shared.forms import BaseForm, choices, length, number_range, optional

SORT_LABELS = {
    "rank": _l("Rank"),
    "name": _l("Center"),
    "compliance_self": _l("C_self"),
    "compliance_verified": _l("C_verified"),
    "gap": _l("Gap"),
    "satisfaction_index": _l("Index S"),
    "csat": _l("Satisfied (CSAT)"),
    "n": _l("Number of ratings"),
    "quality": _l("Q"),
    "classification": _l("Class"),
    "standardized": _l("Standardized"),
    "trend": _l("Trend"),
}


class ProvinceFilterForm(BaseForm):
    class Meta:
        csrf = False

    period = SelectField(_l("Period"), validators=[optional()], validate_choice=True)
    q = StringField(_l("Search by name or code"), validators=[optional(), length(max=100)])
    level = SelectField(
        _l("Level"),
        choices=choices(
            [
                ("", _l("All levels")),
                ("province", _l("Provincial")),
                ("commune", _l("Commune / ward")),
            ]
        ),
        validators=[optional()],
    )
    klass = SelectField(
        _l("Class"),
        choices=choices([("", _l("All classes")), *((str(k), v) for k, v in CLASS_LABELS.items())]),
        validators=[optional()],
    )
    standardized = SelectField(
        _l("Standardized"),
        choices=choices(
            [("", _l("All")), ("yes", _l("Standardized")), ("no", _l("Not standardized"))]
        ),
        validators=[optional()],
    )
    state = SelectField(
        _l("Status of inspection"),
        choices=choices([("", _l("All")), *((str(k), v) for k, v in STATE_LABELS.items())]),
        validators=[optional()],
    )
    area = SelectField(_l("Area"), validators=[optional()])
    sort = SelectField(
        _l("Sort by"),
        choices=choices([(s, SORT_LABELS[s]) for s in SORTS]),
        validators=[optional()],
    )
    order = SelectField(
        _l("Order"),
        choices=choices([("asc", _l("Ascending")), ("desc", _l("Descending"))]),
        validators=[optional()],
    )
    page = IntegerField(_l("Page"), validators=[optional(), number_range(min=1, max=100000)])
