from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField

from ..shared.forms import BaseForm, choices, length, number_range, optional, required


class CenterEditForm(BaseForm):
    """A center's profile as its manager keeps it. The public name is not here: it comes
    from the official list, or an administrator changes it (:class:`CenterAdminEditForm`)."""

    address = StringField(_l("Address"), validators=[optional(), length(max=300)])
    phone = StringField(_l("Contact phone"), validators=[optional(), length(max=30)])
    opening_hours = StringField(
        _l("Opening hours"),
        validators=[optional(), length(max=200)],
        description=_l("For example: Mon–Fri 7:30–11:30, 13:30–17:00"),
    )
    extra_sites = TextAreaField(
        _l("Other reception sites"),
        validators=[optional(), length(max=2000)],
        description=_l("One per line: name and address of each extra reception point."),
    )
    submit = SubmitField(_l("Save"))


class CenterAdminEditForm(CenterEditForm):
    name = StringField(_l("Center name"), validators=[required(), length(max=200)])


class CounterEditForm(BaseForm):
    number = IntegerField(
        _l("Counter number"),
        validators=[required(), number_range(min=1, max=999)],
        render_kw={"inputmode": "numeric"},
    )
    field = StringField(_l("Field of procedures"), validators=[required(), length(max=200)])
    is_active = BooleanField(_l("In service"), default=True)
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        """The counter as ``add_counter`` and ``update_counter`` take it."""
        return {"number": self.number.data, "field": self.field.data}


class OfficerEditForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[required(), length(max=120)])
    position = StringField(_l("Position"), validators=[optional(), length(max=120)])
    counter_id = SelectField(_l("Counter"), coerce=int, validators=[optional()])
    is_active = BooleanField(_l("Working here"), default=True)
    submit = SubmitField(_l("Save"))

    def values(self) -> dict:
        """The officer as ``add_officer`` and ``update_officer`` take it (0: no counter)."""
        return {
            "full_name": self.full_name.data,
            "position": self.position.data or "",
            "counter_id": self.counter_id.data or None,
        }


class CenterFilterForm(BaseForm):
    class Meta:
        csrf = False

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
