"""Uploading a new version of a standard (YAML) from the portal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import HiddenField, SubmitField

from ..shared.forms import BaseForm


class StandardUploadForm(BaseForm):
    file = FileField(
        _l("Standard file (YAML)"),
        description=_l(
            "The same format as the built-in file; a changed standard needs a new version."
        ),
    )
    #: The checked text, sent back with "Publish" after the preview.
    content = HiddenField()
    preview = SubmitField(_l("Check and compare"))
    publish = SubmitField(_l("Publish this version"))
