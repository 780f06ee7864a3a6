"""Form base and validators that carry translated messages.

WTForms ships no Vietnamese catalogue, so every validator used in the portal
takes an explicit ``message=_l(...)``. These helpers bind the common ones once.
"""

from __future__ import annotations

import re

from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, validators

#: Messages that WTForms fields raise by themselves (not from our validators).
#: Listed here so that extraction puts them in our catalogue; ``PortalTranslations``
#: looks them up there.
WTFORMS_BUILTIN_MESSAGES = (
    _l("Not a valid choice."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("Not a valid date value."),
    _l("Not a valid datetime value."),
    _l("Not a valid time value."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("'%(value)s' is not a valid choice for this field."),
    _l("'%(value)s' are not valid choices for this field."),
    _l("This field is required."),
    _l("Invalid input."),
)


class PortalTranslations:
    """WTForms translations backed by the portal's own Babel catalogue."""

    def gettext(self, string: str) -> str:
        return gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return ngettext(singular, plural, n)


class BaseForm(FlaskForm):
    """All portal forms derive from this (CSRF comes from Flask-WTF)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return PortalTranslations()


def required():
    return validators.InputRequired(message=_l("This field is required."))


def optional():
    return validators.Optional()


def length(*, min: int = -1, max: int = -1):  # noqa: A002 - mirrors WTForms
    if min > 0 and max > 0:
        message = _l("Must be between %(min)d and %(max)d characters long.")
    elif min > 0:
        message = _l("Must be at least %(min)d characters long.")
    else:
        message = _l("Must be at most %(max)d characters long.")
    return validators.Length(min=min, max=max, message=message)


def number_range(*, min: int | None = None, max: int | None = None):  # noqa: A002
    return validators.NumberRange(
        min=min, max=max, message=_l("Must be between %(min)s and %(max)s.")
    )


def email():
    return validators.Email(message=_l("Enter a valid e-mail address."))


def date_in_range():
    """A date the portal can compute with (2000–2099): 0001-01-01 or 9999-12-31 would
    overflow when converted to UTC or moved by a day."""
    from .validation import MAX_DATE, MIN_DATE

    def check(form, field):
        if field.data is not None and not MIN_DATE <= field.data <= MAX_DATE:
            raise validators.ValidationError(_l("Choose a date between 01/01/2000 and 31/12/2099."))

    return check


def equal_to(fieldname: str):
    return validators.EqualTo(fieldname, message=_l("The two values do not match."))


class FullMatch(validators.Regexp):
    """Like WTForms' ``Regexp``, but the whole value must match (``re.fullmatch``, ASCII
    classes): ``^…$`` with ``re.match`` also accepts a trailing newline."""

    def __init__(self, pattern: str, *, message):
        super().__init__(pattern, flags=re.ASCII, message=message)

    def __call__(self, form, field, message=None):
        if self.regex.fullmatch(field.data or "") is None:
            raise validators.ValidationError(self.message)


def regexp(pattern: str, *, message):
    """A whole-string pattern check; ``pattern`` carries no ``^``/``$`` anchors."""
    return FullMatch(pattern, message=message)


def any_of(values, *, message):
    return validators.AnyOf(values, message=message)


def choices(pairs) -> list[SelectChoice]:
    """``[(value, label), …]`` → WTForms 3.3 ``SelectChoice`` objects."""
    return [SelectChoice(value, label) for value, label in pairs]


class ConfirmForm(BaseForm):
    """An empty form that carries the CSRF token of a confirmation step's POST button."""
