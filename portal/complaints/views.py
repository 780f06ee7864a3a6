"""Cases for managers and inspectors, and the alerts page."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.decorators import center_or_abort, roles_required
from ..accounts.models import Role, User
from ..accounts.permissions import can_manage_center, can_view_center, visible_centers_clause
from ..centers.models import Center
from ..extensions import db
from ..rankings.alerts import ALERT_KIND_LABELS, acknowledge_alert, alert_list
from ..shared.errors import NotFound, PortalError
from ..shared.forms import BaseForm
from ..shared.text import clean_text
from ..shared.timeutils import local_day, now_utc
from . import services
from .forms import AnswerForm, CaseAssignForm, CaseNoteForm
from .models import AlertKind, Case, CaseStatus

bp = Blueprint("complaints", __name__, url_prefix="/cases", template_folder="templates")

VIEWERS = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)
ACKNOWLEDGERS = (Role.ADMIN, Role.INSPECTOR)


def _center_from_args() -> Center | None:
    code = request.args.get("center", "")
    if not code:
        return None
    center = db.session.scalar(sa.select(Center).where(Center.code == code))
    if center is None:
        abort(404)
    if not can_view_center(current_user, center):
        abort(403)
    return center


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    today = local_day(now_utc())
    clause = visible_centers_clause(current_user)
    center = _center_from_args()
    if center is not None:
        clause = sa.and_(clause, Center.id == center.id)
    status = request.args.get("status", "")
    if status not in ("", CaseStatus.OPEN, CaseStatus.ANSWERED):
        abort(400)
    overdue = request.args.get("overdue") == "1"
    mine = request.args.get("mine") == "1"
    stmt = services.cases_query(
        clause,
        status=status,
        overdue_on=today if overdue else None,
        assignee_id=current_user.id if mine else None,
    )
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "complaints/index.html",
        page=page,
        today=today,
        overdue=overdue,
        mine=mine,
        status=status,
        center=center,
        days_overdue=services.days_overdue,
        days_left=services.days_left,
    )


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    if not can_view_center(current_user, case.center):
        abort(403)
    return case


def _assign_form(case: Case, formdata=None) -> CaseAssignForm:
    form = CaseAssignForm(formdata, data={"assignee": case.assignee_id or 0})
    form.assignee.choices = [(0, _("Nobody")), *_assignee_choices(case)]
    return form


def _assignee_choices(case: Case) -> list[tuple[int, str]]:
    return [
        (user.id, f"{user.full_name} · {user.role_label}")
        for user in services.assignable_users(case)
    ]


def _render_detail(
    case: Case,
    form: AnswerForm,
    *,
    phone: str = "",
    assign_form: CaseAssignForm | None = None,
    note_form: CaseNoteForm | None = None,
    status: int = 200,
):
    can_manage = can_manage_center(current_user, case.center)
    can_handle = services.can_handle_case(current_user, case)
    today = local_day(now_utc())
    html = render_template(
        "complaints/detail.html",
        case=case,
        rating=case.rating,
        form=form,
        can_handle=can_handle,
        assign_form=(assign_form or _assign_form(case)) if can_handle else None,
        note_form=(note_form or CaseNoteForm()) if can_handle else None,
        days_left=services.days_left(case, today),
        can_answer=can_manage and case.status == CaseStatus.OPEN,
        can_reveal=current_user.role == Role.MANAGER and can_manage,
        masked_phone=services.callback_phone_masked(case),
        phone=phone,
        today=today,
        days_overdue=services.days_overdue(case, today),
    )
    return html, status


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@roles_required(*VIEWERS)
def detail(case_id: int):
    case = _case_or_404(case_id)
    form = AnswerForm(data={"answer": case.answer})
    if request.method == "POST":
        if not can_manage_center(current_user, case.center):
            abort(403)
        if form.validate_on_submit():
            try:
                services.answer_case(case, clean_text(form.answer.data), actor=current_user)
            except PortalError as exc:
                db.session.rollback()
                if case.status == CaseStatus.ANSWERED:  # no form on the page any more
                    flash(exc.message, "error")
                    return redirect(url_for(".detail", case_id=case.id))
                # e.g. only spaces or invisible characters: shown with the field
                form.answer.errors = [*form.answer.errors, exc.message]
            else:
                db.session.commit()
                flash(
                    _("The answer has been saved; the citizen sees it with the tracking code."),
                    "success",
                )
                return redirect(url_for(".detail", case_id=case.id))
    return _render_detail(case, form)


@bp.route("/<int:case_id>/phone", methods=["POST"])
@roles_required(Role.MANAGER)
def reveal_phone(case_id: int):
    """Show the citizen's phone number once, to call back (audited; never in a URL)."""
    case = _case_or_404(case_id)
    try:
        phone = services.reveal_phone(case, actor=current_user)
    except NotFound:
        abort(404)
    except PortalError:
        abort(403)
    db.session.commit()
    form = AnswerForm(data={"answer": case.answer})
    response = current_app.make_response(
        _render_detail(case, form, phone=services.national_phone(phone))
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _handling_step(
    case_id: int,
    make_form: Callable[[Case], BaseForm],
    act: Callable[[Case, BaseForm], None],
    *,
    field: str,
    done: str,
    anchor: str,
    form_slot: str,
):
    """A handling step on a case (assign it, add a note): ``act`` with the submitted form,
    then back to the case at ``anchor``; a refusal is shown under the form's ``field``, the
    form in the detail page's ``form_slot``."""
    case = _case_or_404(case_id)
    if not services.can_handle_case(current_user, case):
        abort(403)
    form = make_form(case)
    if form.validate_on_submit():
        try:
            act(case, form)
        except PortalError as exc:
            db.session.rollback()
            form[field].errors = [*form[field].errors, exc.message]
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for(".detail", case_id=case.id, _anchor=anchor))
    return _render_detail(case, AnswerForm(data={"answer": case.answer}), **{form_slot: form})


@bp.route("/<int:case_id>/assign", methods=["POST"])
@roles_required(*VIEWERS)
def assign(case_id: int):
    def act(case: Case, form: CaseAssignForm) -> None:
        assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
        services.assign_case(case, assignee, actor=current_user)

    return _handling_step(
        case_id,
        lambda case: _assign_form(case, request.form),
        act,
        field="assignee",
        done=_("The complaint has been assigned."),
        anchor="handling",
        form_slot="assign_form",
    )


@bp.route("/<int:case_id>/notes", methods=["POST"])
@roles_required(*VIEWERS)
def add_note(case_id: int):
    return _handling_step(
        case_id,
        lambda _case: CaseNoteForm(),
        lambda case, form: services.add_note(case, clean_text(form.text.data), actor=current_user),
        field="text",
        done=_("The note has been added."),
        anchor="notes",
        form_slot="note_form",
    )


@bp.route("/alerts")
@roles_required(*VIEWERS)
def alerts():
    today = local_day(now_utc())
    kind = request.args.get("kind", "")
    if kind and kind not in ALERT_KIND_LABELS:
        abort(400)
    center = _center_from_args()
    listed = alert_list(
        visible_centers_clause(current_user),
        today,
        kind=kind,
        center_id=center.id if center is not None else None,
        viewer=current_user,
    )
    centers = db.session.execute(
        sa.select(Center.code, Center.name)
        .where(visible_centers_clause(current_user))
        .order_by(Center.code)
    ).all()
    return render_template(
        "complaints/alerts.html",
        alerts=listed.open,
        acknowledged=listed.acknowledged,
        kind=kind,
        center=center,
        centers=centers,
        kind_labels=ALERT_KIND_LABELS,
        can_acknowledge=current_user.role in ACKNOWLEDGERS,
        ack_days=current_app.config["ALERT_ACK_DAYS"],
    )


@bp.route("/alerts/acknowledge", methods=["POST"])
@roles_required(*ACKNOWLEDGERS)
def acknowledge():
    center = center_or_abort(request.form.get("center", ""))
    kind = request.form.get("kind", "")
    subject_id = request.form.get("subject", type=int) or 0
    try:
        acknowledge_alert(
            center,
            kind=kind,
            subject_id=subject_id,
            note=request.form.get("note", ""),
            actor=current_user,
            today=local_day(now_utc()),
        )
    except NotFound:
        db.session.rollback()
        flash(_("This alert is no longer open."), "error")
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(_("The alert is acknowledged and leaves the open list."), "success")
    back = {}
    if request.form.get("back_kind", "") in set(AlertKind):
        back["kind"] = request.form["back_kind"]
    if request.form.get("back_center", "").isalnum():
        back["center"] = request.form["back_center"]
    return redirect(url_for(".alerts", **back))
