"""The export form: what, in which format, for which period and center."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField

from ..shared.forms import BaseForm, any_of, length, optional, required
from .services import KINDS

FORMATS = ("xlsx", "csv", "pdf")


class ExportStartForm(BaseForm):
    kind = HiddenField(
        _l("Export"),
        validators=[required(), any_of(KINDS, message=_l("Choose an export from the list."))],
    )
    fmt = HiddenField(
        _l("Format"),
        validators=[required(), any_of(FORMATS, message=_l("Choose a format from the list."))],
    )
    period = HiddenField(_l("Period"), validators=[required(), length(max=20)])
    #: a center's picker label ("07900 — Trung tâm …"), its name or its code
    center = HiddenField(_l("Center"), validators=[optional(), length(max=300)])
