"""Forms of the rankings pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField, SelectField

from ..scoring import rules
from ..shared.forms import BaseForm, choices, number_range, required


def _weight(label):
    return DecimalField(label, places=None, validators=[required(), number_range(min=0, max=1)])


def _threshold(label):
    return DecimalField(label, places=None, validators=[required(), number_range(min=0, max=100)])


class ScoringSettingsForm(BaseForm):
    compliance_weight = _weight(_l("Weight of verified compliance in Q"))
    satisfaction_weight = _weight(_l("Weight of adjusted satisfaction in Q"))
    prior_weight = IntegerField(
        _l("m: weight of the province's index for small samples"),
        validators=[required(), number_range(min=0, max=100000)],
    )
    min_n = IntegerField(
        _l("Minimum number of ratings for a satisfaction rank"),
        validators=[required(), number_range(min=1, max=100000)],
    )
    standardized_threshold = _threshold(_l("Standardized from C_verified"))
    band_excellent = _threshold(_l("Excellent from Q"))
    band_good = _threshold(_l("Good from Q"))
    band_fair = _threshold(_l("Fair from Q"))
    band_average = _threshold(_l("Average from Q"))
    appeal_window_days = IntegerField(
        _l("Appeal window (days)"), validators=[required(), number_range(min=0, max=90)]
    )
    class_cap = SelectField(
        _l("Best class of a center that is not standardized"),
        choices=choices(
            [
                (str(rules.Classification.GOOD), _l("Good")),
                (str(rules.Classification.FAIR), _l("Fair")),
                (str(rules.Classification.AVERAGE), _l("Average")),
                (str(rules.Classification.WEAK), _l("Weak")),
                ("", _l("No cap")),
            ]
        ),
    )


class ConfirmForm(BaseForm):
    """A button that only carries the CSRF token."""
