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
    TextAreaField,
)

from ..shared.forms import BaseForm, choices, email, equal_to, length, optional, regexp, required
from .models import ROLE_LABELS, Role


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
        # The least privileged role: an administrator raises it on purpose.
        default=Role.OFFICER.value,
    )
    center_code = StringField(
        _l("Center (managers and officers)"),
        validators=[optional(), length(max=300)],
        description=_l("Type part of the name (accents optional) or the code, then pick."),
        render_kw={"list": "center-options", "autocomplete": "off", "data-center-picker": ""},
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
    scope_center_codes = TextAreaField(
        _l("Centers of the inspector's scope"),
        validators=[optional(), length(max=20000)],
        description=_l("One center per line: its name or its code."),
        render_kw={"rows": 4},
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
