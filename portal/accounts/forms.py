from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)

from ..shared.forms import BaseForm, choices, email, equal_to, length, optional, regexp, required
from .models import ROLE_LABELS


class LoginForm(BaseForm):
    username = StringField(
        _l("Username"),
        validators=[required(), length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[required(), length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Log in"))


class PasswordChangeForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[required()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[required(), length(min=10, max=128)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[required(), equal_to("new_password")],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class UserEditForm(BaseForm):
    username = StringField(
        _l("Username"),
        validators=[
            required(),
            length(min=3, max=64),
            regexp(
                r"[A-Za-z0-9._-]+",
                message=_l("Use only letters without accents, digits, '.', '_' and '-'."),
            ),
        ],
    )
    full_name = StringField(_l("Full name"), validators=[required(), length(max=120)])
    email = EmailField(_l("E-mail"), validators=[optional(), email(), length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=choices((r.value, label) for r, label in ROLE_LABELS.items()),
        validators=[required()],
    )
    center_code = StringField(
        _l("Center code (managers and officers)"), validators=[optional(), length(max=10)]
    )
    officer_id = SelectField(
        _l("Officer record (counter officers)"),
        coerce=int,
        validators=[optional()],
        description=_l(
            "Links the account to the officer's own ratings. The list shows the officers of "
            "the center above; for a new account, save it first with the center code."
        ),
    )
    scope_province_code = IntegerField(
        _l("Province code of the inspector's scope"), validators=[optional()]
    )
    scope_center_codes = StringField(
        _l("Center codes of the inspector's scope (comma separated)"),
        validators=[optional(), length(max=2000)],
    )
    is_active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class ConfirmForm(BaseForm):
    """An empty form that carries the CSRF token of a POST-only button."""

    submit = SubmitField(_l("Confirm"))


class UserFilterForm(BaseForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[optional(), length(max=100)])
    role = SelectField(
        _l("Role"),
        choices=choices(
            [("", _l("All roles"))] + [(r.value, label) for r, label in ROLE_LABELS.items()]
        ),
        validators=[optional()],
    )
