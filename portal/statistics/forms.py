"""The CSV upload of the import page and the overview's filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import SelectField, StringField, SubmitField

from ..shared.forms import BaseForm, choices, length, optional

KINDS = choices(
    [
        ("dossiers", _l("Dossier statistics (one-stop software)")),
        ("index", _l("Decision 766 service index (national portal)")),
    ]
)


class StatisticsImportForm(BaseForm):
    kind = SelectField(_l("What the file holds"), choices=KINDS)
    file = FileField(_l("CSV file"))
    submit = SubmitField(_l("Check and import"))


class OverviewFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search by name or code"), validators=[optional(), length(max=100)])
