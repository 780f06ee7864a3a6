"""Administration: user accounts and their scopes. Owns no models."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import services as accounts
from ..accounts.decorators import roles_required
from ..accounts.forms import ConfirmForm, UserEditForm, UserFilterForm
from ..accounts.models import Role, User
from ..centers.services import get_center_by_code, officers_in_list_order
from ..extensions import db
from ..shared.errors import PortalError
from ..shared.forms import choices

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")


def _user_data(form: UserEditForm) -> accounts.UserData:
    """Turn the form's center codes into ids; unknown codes become form errors."""
    center_id = None
    if form.center_code.data:
        center = get_center_by_code(form.center_code.data.strip())
        if center is None:
            raise PortalError(_("Unknown center code %(code)s.", code=form.center_code.data))
        center_id = center.id
    scope_ids = []
    for code in (form.scope_center_codes.data or "").replace(";", ",").split(","):
        code = code.strip()
        if not code:
            continue
        center = get_center_by_code(code)
        if center is None:
            raise PortalError(_("Unknown center code %(code)s.", code=code))
        scope_ids.append(center.id)
    return accounts.UserData(
        username=form.username.data,
        full_name=form.full_name.data,
        email=form.email.data,
        role=form.role.data,
        center_id=center_id,
        scope_province_code=form.scope_province_code.data,
        scope_center_ids=scope_ids,
        is_active=form.is_active.data,
        officer_id=form.officer_id.data or None,
    )


def _officer_choices(form: UserEditForm, user: User | None) -> None:
    """The officers of the center named in the form (or the account's center)."""
    code = (form.center_code.data or "").strip() or (
        user.center.code if user and user.center else ""
    )
    center = get_center_by_code(code) if code else None
    officers = officers_in_list_order(center) if center else []
    form.officer_id.choices = choices(
        [(0, _("— not linked —"))] + [(o.id, o.full_name) for o in officers]
    )


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    return redirect(url_for(".users"))


@bp.route("/users")
@roles_required(Role.ADMIN)
def users():
    form = UserFilterForm(request.args)
    form.validate()
    stmt = accounts.list_users(
        actor=current_user, query=form.q.data or "", role=form.role.data or ""
    )
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/users.html", form=form, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int | None = None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserEditForm(obj=user)
    if request.method == "GET" and user is not None:
        form.center_code.data = user.center.code if user.center else ""
        form.scope_center_codes.data = ", ".join(c.code for c in user.scope_centers)
    if request.method == "GET" and user is not None:
        form.officer_id.data = user.officer_id or 0
    _officer_choices(form, user)
    if user is not None:
        form.username.render_kw = {"readonly": True}
    if form.validate_on_submit():
        try:
            data = _user_data(form)
            if user is None:
                user, initial = accounts.create_user(actor=current_user, data=data)
            else:
                data.username = user.username
                accounts.update_user(user, actor=current_user, data=data)
                initial = None
        except PortalError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The account %(username)s has been saved.", username=user.username), "success")
            if initial:
                return render_template("admin/password_shown.html", user=user, password=initial)
            return redirect(url_for(".users"))
    return render_template("admin/user_edit.html", form=form, user=user, reset_form=ConfirmForm())


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@roles_required(Role.ADMIN)
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    password = accounts.reset_password(user, actor=current_user)
    db.session.commit()
    return render_template("admin/password_shown.html", user=user, password=password)
