"""Administration: user accounts and their scopes, the operational settings, the audit log.

Owns no models: it calls the accounts, centers and settings services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..accounts import services as accounts
from ..accounts.decorators import roles_required
from ..accounts.forms import ConfirmForm, UserEditForm, UserFilterForm
from ..accounts.models import Role, User
from ..audit import services as audit
from ..centers.services import (
    center_label,
    find_centers,
    get_center_by_code,
    officers_in_list_order,
    picker_options,
    resolve_center,
)
from ..extensions import db
from ..settings import services as settings
from ..shared.errors import PortalError
from ..shared.forms import choices
from ..shared.timeutils import DISPLAY_TZ
from . import audit as audit_pages
from .forms import (
    SETTINGS_SUMMARY,
    WEEKDAY_LABELS,
    AuditFilterForm,
    HolidayForm,
    OpeningHoursForm,
    SettingsForm,
)

# No url_prefix: the audit log keeps its address /audit/; every other page is under /admin.
bp = Blueprint("admin", __name__, template_folder="templates")


def _split_centers(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", "\n").replace(",", "\n").splitlines() if p.strip()]


def _user_data(form: UserEditForm) -> accounts.UserData | None:
    """Resolve the typed centers (name or code); a center that cannot be resolved becomes
    an error on its field and the result is ``None``."""
    center_id = None
    if form.center_code.data and form.center_code.data.strip():
        try:
            center_id = resolve_center(form.center_code.data).id
        except PortalError as exc:
            form.center_code.errors.append(exc.message)
    scope_ids = []
    for text in _split_centers(form.scope_center_codes.data or ""):
        try:
            scope_ids.append(resolve_center(text).id)
        except PortalError as exc:
            form.scope_center_codes.errors.append(exc.message)
    if form.center_code.errors or form.scope_center_codes.errors:
        return None
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
    center = None
    if (form.center_code.data or "").strip():
        matches = find_centers(form.center_code.data, limit=1)
        center = matches[0] if len(matches) == 1 else None
    elif user is not None:
        center = user.center
    officers = officers_in_list_order(center) if center else []
    form.officer_id.choices = choices(
        [(0, _("— not linked —"))] + [(o.id, o.full_name) for o in officers]
    )


@bp.route("/admin/")
@roles_required(Role.ADMIN)
def index():
    return redirect(url_for(".users"))


@bp.route("/admin/users")
@roles_required(Role.ADMIN)
def users():
    form = UserFilterForm(request.args)
    form.validate()
    stmt = accounts.list_users(
        actor=current_user, query=form.q.data or "", role=form.role.data or ""
    )
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("admin/users.html", form=form, page=page)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def user_edit(user_id: int | None = None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserEditForm(obj=user)
    if request.method == "GET" and user is not None:
        form.center_code.data = center_label(user.center) if user.center else ""
        form.scope_center_codes.data = "\n".join(center_label(c) for c in user.scope_centers)
    if request.method == "GET" and user is not None:
        form.officer_id.data = user.officer_id or 0
    _officer_choices(form, user)
    if user is not None:
        form.username.render_kw = {"readonly": True}
    data = None
    if form.validate_on_submit():
        data = _user_data(form)
    if data is not None:
        try:
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
    return render_template(
        "admin/user_edit.html",
        form=form,
        user=user,
        reset_form=ConfirmForm(),
        center_options=picker_options(),
    )


@bp.route("/admin/users/<int:user_id>/reset-password", methods=["POST"])
@roles_required(Role.ADMIN)
def user_reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    password = accounts.reset_password(user, actor=current_user)
    db.session.commit()
    return render_template("admin/password_shown.html", user=user, password=password)


# Operational settings ----------------------------------------------------------------------


@bp.route("/admin/center-options")
@roles_required(Role.ADMIN)
def center_options():
    """Center labels matching ``q`` (for the pickers when the full list is too long)."""
    q = (request.args.get("q") or "")[:100]
    matches = find_centers(q, limit=20) if len(q.strip()) >= 2 else []
    return jsonify([center_label(c) for c in matches[:20]])


def _settings_page(form=None, hours_form=None, holiday_form=None, status: int = 200):
    if form is None:
        form = SettingsForm(
            data={k: settings.display_value(k, v) for k, v in settings.effective().items()}
        )
    provinces = settings.provinces()
    if hours_form is None:
        hours_form = OpeningHoursForm()
        default = settings.config_hours() if not provinces else None
        if provinces:
            hours_form.province_code.data = provinces[0][0]
            default = settings.province_hours(provinces[0][0])
        hours_form.opens.data = default.opens
        hours_form.closes.data = default.closes
        hours_form.closed_weekdays.data = list(default.closed_weekdays)
    year = datetime.now(DISPLAY_TZ).year
    return (
        render_template(
            "admin/settings.html",
            summary=SETTINGS_SUMMARY,
            form=form,
            hours_form=hours_form,
            holiday_form=holiday_form or HolidayForm(),
            confirm_form=ConfirmForm(),
            province_hours=[
                (code, name, settings.province_hours(code)) for code, name in provinces
            ],
            overrides=settings.center_overrides(),
            holidays=[h for h in settings.list_holidays() if h.day.year >= year - 1],
            official_year=settings.OFFICIAL_HOLIDAYS_2026[0][0].year,
            weekday_labels=dict(WEEKDAY_LABELS),
            center_options=picker_options(),
            year=year,
        ),
        status,
    )


@bp.route("/admin/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings_page():
    form = SettingsForm()
    if request.method == "GET":
        return _settings_page()
    if form.validate_on_submit():
        try:
            changes = settings.update_settings(
                actor=current_user, values={key: form[key].data for key in settings.DEFINITIONS}
            )
        except PortalError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            if changes:
                flash(_("The settings have been saved."), "success")
            else:
                flash(_("Nothing was changed."), "info")
            return redirect(url_for(".settings_page"))
    return _settings_page(form=form, status=200)


def _save_setting(save: Callable[..., object], errors: list, saved: str, anchor: str):
    """Run ``save`` as the current user: a refusal goes into ``errors`` and the page comes
    back (``None``); a success is committed and goes back to the settings page at ``anchor``."""
    try:
        save(actor=current_user)
    except PortalError as exc:
        db.session.rollback()
        errors.append(exc.message)
        return None
    db.session.commit()
    flash(saved, "success")
    return redirect(url_for(".settings_page", _anchor=anchor))


def _set_opening_hours(form: OpeningHoursForm, *, actor: User) -> None:
    """The hours of the center the form names, or else its province's default."""
    center = resolve_center(form.center.data) if (form.center.data or "").strip() else None
    if center is None and form.province_code.data is None:
        raise PortalError(_("Choose a center, or give the province code for its default."))
    settings.set_opening_hours(
        actor=actor,
        opens=form.opens.data,
        closes=form.closes.data,
        closed_weekdays=form.closed_weekdays.data or [],
        center=center,
        province_code=None if center else form.province_code.data,
    )


@bp.route("/admin/settings/opening-hours", methods=["POST"])
@roles_required(Role.ADMIN)
def settings_hours():
    form = OpeningHoursForm()
    if form.validate_on_submit():
        saved = _("The opening hours have been saved.")
        done = _save_setting(partial(_set_opening_hours, form), form.form_errors, saved, "hours")
        if done is not None:
            return done
    return _settings_page(hours_form=form, status=200)


@bp.route("/admin/settings/opening-hours/<code>/clear", methods=["POST"])
@roles_required(Role.ADMIN)
def settings_hours_clear(code: str):
    center = get_center_by_code(code)
    if center is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    settings.clear_center_hours(center, actor=current_user)
    db.session.commit()
    flash(_("%(name)s follows the province's opening hours again.", name=center.name), "success")
    return redirect(url_for(".settings_page", _anchor="hours"))


@bp.route("/admin/settings/holidays", methods=["POST"])
@roles_required(Role.ADMIN)
def settings_holiday_add():
    form = HolidayForm()
    if form.validate_on_submit():
        add = partial(settings.add_holiday, day=form.day.data, name=form.name.data)
        done = _save_setting(add, form.day.errors, _("The holiday has been added."), "holidays")
        if done is not None:
            return done
    return _settings_page(holiday_form=form, status=200)


@bp.route("/admin/settings/holidays/<day>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def settings_holiday_remove(day: str):
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        settings.remove_holiday(actor=current_user, day=parsed)
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The holiday has been removed."), "success")
    return redirect(url_for(".settings_page", _anchor="holidays"))


@bp.route("/admin/settings/holidays/official", methods=["POST"])
@roles_required(Role.ADMIN)
def settings_holiday_official():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    added = settings.add_official_holidays(actor=current_user)
    db.session.commit()
    flash(ngettext("%(num)d holiday added.", "%(num)d holidays added.", added), "success")
    return redirect(url_for(".settings_page", _anchor="holidays"))


# The audit log ------------------------------------------------------------------------


@bp.route("/audit/")
@roles_required(Role.ADMIN)
def audit_log():
    """The audit log, filtered (its URL predates this blueprint: ``/audit/``)."""
    form = AuditFilterForm(request.args)
    valid = form.validate()
    center_id = None
    if valid and (form.center_code.data or "").strip():
        matches = find_centers(form.center_code.data, limit=1)
        if len(matches) == 1:
            center_id = matches[0].id
        else:
            center_id = -1
            form.center_code.errors.append(
                _("No center matches “%(text)s”.", text=form.center_code.data.strip())
                if not matches
                else _("Several centers match: type more of the name, or the code.")
            )
    stmt = audit.search_entries(
        action=(form.action.data or "") if valid else "",
        actor_prefix=(form.actor.data or "").strip() if valid else "",
        center_id=center_id,
        date_from=audit_pages.local_midnight_utc(form.date_from.data)
        if valid and form.date_from.data
        else None,
        date_to=(
            audit_pages.local_midnight_utc(form.date_to.data + timedelta(days=1))
            if valid and form.date_to.data
            else None
        ),
    )
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "admin/audit.html",
        form=form,
        page=page,
        lines=audit_pages.lines(page.items),
        center_options=picker_options(),
    )
