"""Center directory pages: list, detail, and editing the center, its counters and officers."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.decorators import center_or_abort
from ..accounts.permissions import can_manage_center, visible_centers_clause
from ..extensions import db
from ..shared import labels
from ..shared.errors import PortalError
from ..shared.forms import choices
from . import services
from .forms import (
    CenterAdminEditForm,
    CenterEditForm,
    CenterFilterForm,
    CounterEditForm,
    OfficerEditForm,
)
from .models import Center, Counter, Officer

bp = Blueprint("centers", __name__, url_prefix="/centers", template_folder="templates")


def _child_or_404(model, center: Center, object_id: int):
    obj = db.session.get(model, object_id)
    if obj is None or obj.center_id != center.id:
        abort(404)
    return obj


def _save_child(center: Center, child, form, add, update, *, error_field, saved: str):
    """Add a counter or officer to ``center`` (``child`` is None) or update ``child``, with
    ``form.values()``, as the current user. A refusal is shown under ``error_field`` and the
    page comes back (``None``); a success is committed and goes back to the center."""
    try:
        if child is None:
            add(center, actor=current_user, **form.values())
        else:
            update(child, actor=current_user, is_active=form.is_active.data, **form.values())
    except PortalError as exc:
        db.session.rollback()
        error_field.errors.append(exc.message)
        return None
    db.session.commit()
    flash(saved, "success")
    return redirect(url_for(".detail", code=center.code))


@bp.route("/")
@login_required
def index():
    form = CenterFilterForm(request.args)
    form.validate()
    stmt = services.search_centers(
        visible_centers_clause(current_user),
        q=form.q.data or "",
        level=form.level.data or "",
    )
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("centers/index.html", form=form, page=page)


@bp.route("/<code>")
@login_required
def detail(code: str):
    center = center_or_abort(code)
    return render_template(
        "centers/detail.html",
        center=center,
        officers=services.officers_in_list_order(center),
        can_manage=can_manage_center(current_user, center),
    )


@bp.route("/<code>/edit", methods=["GET", "POST"])
@login_required
def edit(code: str):
    center = center_or_abort(code, manage=True)
    # Only an administrator's form has the public name (a manager's post of one is ignored).
    form = (CenterAdminEditForm if current_user.is_admin else CenterEditForm)(obj=center)
    if form.validate_on_submit():
        services.update_center(
            center,
            actor=current_user,
            name=form.name.data if "name" in form else None,
            address=form.address.data or "",
            phone=form.phone.data or "",
            opening_hours=form.opening_hours.data or "",
            extra_sites=form.extra_sites.data or "",
        )
        db.session.commit()
        flash(_("The center has been saved."), "success")
        return redirect(url_for(".detail", code=center.code))
    return render_template("centers/edit.html", center=center, form=form)


@bp.route("/<code>/counters/new", methods=["GET", "POST"])
@bp.route("/<code>/counters/<int:counter_id>/edit", methods=["GET", "POST"])
@login_required
def counter_edit(code: str, counter_id: int | None = None):
    center = center_or_abort(code, manage=True)
    counter = _child_or_404(Counter, center, counter_id) if counter_id else None
    form = CounterEditForm(obj=counter)
    if counter is None and request.method == "GET":
        form.number.data = max((c.number for c in center.counters), default=0) + 1
    if form.validate_on_submit():
        done = _save_child(
            center,
            counter,
            form,
            services.add_counter,
            services.update_counter,
            error_field=form.number,
            saved=_("The counter has been saved."),
        )
        if done is not None:
            return done
    return render_template("centers/counter_edit.html", center=center, counter=counter, form=form)


@bp.route("/<code>/officers/new", methods=["GET", "POST"])
@bp.route("/<code>/officers/<int:officer_id>/edit", methods=["GET", "POST"])
@login_required
def officer_edit(code: str, officer_id: int | None = None):
    center = center_or_abort(code, manage=True)
    officer = _child_or_404(Officer, center, officer_id) if officer_id else None
    form = OfficerEditForm(obj=officer)
    form.counter_id.choices = choices(
        [(0, _("No counter"))]
        + [
            (c.id, _("Counter %(n)d – %(field)s", n=c.number, field=labels.subject_area(c.field)))
            for c in center.counters
        ]
    )
    if request.method == "GET" and officer is not None:
        form.counter_id.data = officer.counter_id or 0
    if form.validate_on_submit():
        done = _save_child(
            center,
            officer,
            form,
            services.add_officer,
            services.update_officer,
            error_field=form.counter_id,
            saved=_("The officer has been saved."),
        )
        if done is not None:
            return done
    return render_template("centers/officer_edit.html", center=center, officer=officer, form=form)
