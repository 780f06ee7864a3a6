"""Cases for managers and inspectors, and the alerts page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import TextAreaField

from ..accounts.decorators import roles_required
from ..accounts.models import Role
from ..accounts.permissions import can_manage_center, can_view_center, visible_centers_clause
from ..centers.models import Center
from ..extensions import db
from ..ratings.services import local_day
from ..shared.errors import PortalError
from ..shared.forms import BaseForm, length, required
from ..shared.text import clean_text
from ..shared.timeutils import now_utc
from . import services
from .alerts import compute_alerts
from .models import Case, CaseStatus

bp = Blueprint("complaints", __name__, url_prefix="/cases", template_folder="templates")

VIEWERS = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)


class AnswerForm(BaseForm):
    answer = TextAreaField("", validators=[required(), length(max=4000)])


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    today = local_day(now_utc())
    clause = visible_centers_clause(current_user)
    code = request.args.get("center", "")
    if code:
        center = db.session.scalar(sa.select(Center).where(Center.code == code))
        if center is None:
            abort(404)
        if not can_view_center(current_user, center):
            abort(403)
        clause = sa.and_(clause, Center.id == center.id)
    status = request.args.get("status", "")
    if status not in ("", CaseStatus.OPEN, CaseStatus.ANSWERED):
        abort(400)
    overdue = request.args.get("overdue") == "1"
    stmt = services.cases_query(clause, status=status, overdue_on=today if overdue else None)
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template(
        "complaints/index.html", page=page, today=today, overdue=overdue, status=status
    )


def _case_or_404(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    if not can_view_center(current_user, case.center):
        abort(403)
    return case


@bp.route("/<int:case_id>", methods=["GET", "POST"])
@roles_required(*VIEWERS)
def detail(case_id: int):
    case = _case_or_404(case_id)
    can_answer = can_manage_center(current_user, case.center)
    form = AnswerForm(data={"answer": case.answer})
    form.answer.label.text = _("Answer to the citizen")
    if request.method == "POST":
        if not can_answer:
            abort(403)
        if form.validate_on_submit():
            try:
                services.answer_case(case, clean_text(form.answer.data), actor=current_user)
            except PortalError as exc:  # e.g. only spaces or invisible characters
                form.answer.errors = [*form.answer.errors, exc.message]
            else:
                db.session.commit()
                flash(
                    _("The answer has been saved; the citizen sees it with the tracking code."),
                    "success",
                )
                return redirect(url_for(".detail", case_id=case.id))
    return render_template(
        "complaints/detail.html",
        case=case,
        form=form,
        can_answer=can_answer,
        today=local_day(now_utc()),
    )


@bp.route("/alerts")
@roles_required(*VIEWERS)
def alerts():
    alerts = compute_alerts(visible_centers_clause(current_user), local_day(now_utc()))
    return render_template("complaints/alerts.html", alerts=alerts)
