"""The documents' pages: each document as PDF or Word (GET: an unnumbered copy; POST: the
issued copy, numbered and, with a configured certificate, signed), the documents page of a
period and the letterhead settings.

Every object id is checked on the server: a visit or inspection as the inspection page
checks it (out of scope: 404), a center as its page does, a province summary or decision
against the inspector's province.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.decorators import roles_required
from ..accounts.models import Role
from ..accounts.permissions import can_view_center
from ..assessments.models import AssessmentPeriod
from ..centers.models import Center
from ..extensions import db
from ..inspections import services as inspections
from ..inspections.models import Inspection, Visit
from ..rankings import services as rankings
from ..rankings.models import ScoreSnapshot
from ..settings import services as portal_settings
from ..shared.errors import PortalError
from ..shared.timeutils import now_utc
from . import layout_pdf, letterhead, services, signing, summary
from .content import Document
from .forms import IssueForm, LetterheadForm

bp = Blueprint("documents", __name__, url_prefix="/documents", template_folder="templates")

STAFF = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)
ISSUERS = (Role.ADMIN, Role.INSPECTOR)
FMT = "<any(pdf, docx):fmt>"


def _render(doc: Document, fmt: str, *, final: bool) -> bytes:
    signer = signing.configured_signer() if final and fmt == "pdf" else None
    if signer is None:
        return services.render(doc, fmt)
    doc.verification = signing.verification_line(signer, now_utc())
    data = layout_pdf.render(doc)
    return signing.sign(data, signer, reason=doc.title, location=doc.place)


def _respond(kind: str, build: Callable[[], Document], fmt: str, *, subject: str, may_issue):
    """The document, unnumbered (GET) or issued with the next number (POST)."""
    final = request.method == "POST"
    if final:
        if current_user.role not in ISSUERS or not may_issue():
            abort(403)
        if not IssueForm().validate_on_submit():
            abort(400)
    with force_locale("vi"):
        try:
            doc = build()
        except services.DocumentError:
            abort(404)
        if final:
            doc.number = letterhead.take_number(kind, actor=current_user, subject=subject)
        data = _render(doc, fmt, final=final)
    if final:
        db.session.commit()
    name = doc.filename + (f"-so-{doc.number}" if doc.number else "") + f".{fmt}"
    response = send_file(
        io.BytesIO(data), mimetype=services.FORMATS[fmt], as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _evidence_dir() -> str:
    return current_app.config.get("EVIDENCE_DIR") or f"{current_app.instance_path}/evidence"


@bp.route(f"/visits/<int:visit_id>.{FMT}", methods=["GET", "POST"])
@roles_required(*STAFF)
def visit_record(visit_id: int, fmt: str):
    visit = db.get_or_404(Visit, visit_id)
    if not inspections.can_view_inspection(current_user, visit.inspection):
        abort(404)
    center = visit.inspection.assessment.center
    return _respond(
        "visit_record",
        lambda: services.visit_record(visit, evidence_dir=_evidence_dir()),
        fmt,
        subject=f"visit {visit.id} ({center.code})",
        may_issue=lambda: inspections.can_inspect(current_user, center),
    )


@bp.route(f"/inspections/<int:inspection_id>.{FMT}", methods=["GET", "POST"])
@roles_required(*STAFF)
def inspection_report(inspection_id: int, fmt: str):
    inspection = db.get_or_404(Inspection, inspection_id)
    if not inspections.can_view_inspection(current_user, inspection):
        abort(404)
    center = inspection.assessment.center
    return _respond(
        "inspection_report",
        lambda: services.inspection_report(inspection),
        fmt,
        subject=f"inspection {inspection.id} ({center.code})",
        may_issue=lambda: inspections.can_inspect(current_user, center),
    )


def _period_or_404(code: str) -> AssessmentPeriod:
    return db.one_or_404(sa.select(AssessmentPeriod).where(AssessmentPeriod.code == code))


@bp.route(f"/periods/<code>/centers/<center_code>.{FMT}", methods=["GET", "POST"])
@roles_required(*STAFF)
def center_report(code: str, center_code: str, fmt: str):
    period = _period_or_404(code)
    center = db.one_or_404(sa.select(Center).where(Center.code == center_code))
    if not can_view_center(current_user, center):
        abort(404)
    revision = None
    if request.args.get("revision"):  # a former revision of the published results
        number = request.args.get("revision", type=int)
        revision = rankings.revision_number(period, number) if number else None
        if revision is None:
            abort(404)
    return _respond(
        "center_report",
        lambda: services.center_report(period, center, revision=revision),
        fmt,
        subject=f"{period.code} {center.code}",
        may_issue=lambda: inspections.can_inspect(current_user, center),
    )


@bp.route("/center-report")
@roles_required(*ISSUERS)
def center_lookup():
    """The documents page's form: a period and a center code (or "code – name") → the
    center's report; the report's own route checks the center against the scope."""
    code = request.args.get("period", "")
    fmt = request.args.get("fmt", "pdf")
    center_code = (request.args.get("center", "").split("–")[0]).strip()
    if fmt not in services.FORMATS or not center_code.isdigit() or len(center_code) > 10:
        flash(_("Enter the code of a center."), "error")
        return redirect(url_for(".index"))
    return redirect(url_for(".center_report", code=code, center_code=center_code, fmt=fmt))


def _province_or_403(province: int) -> None:
    if current_user.role == Role.ADMIN:
        return
    if current_user.scope_province_code != province:
        abort(403)


def _province_document(
    kind: str,
    build: Callable[[AssessmentPeriod, int], Document],
    code: str,
    province: int,
    fmt: str,
    *,
    issuable: bool,
):
    """A document of a province for a period: an inspector gets their own province's only."""
    _province_or_403(province)
    period = _period_or_404(code)
    return _respond(
        kind,
        lambda: build(period, province),
        fmt,
        subject=f"{period.code} province {province}",
        may_issue=lambda: issuable,
    )


@bp.route(f"/periods/<code>/provinces/<int:province>/summary.{FMT}", methods=["GET", "POST"])
@roles_required(*ISSUERS)
def province_summary(code: str, province: int, fmt: str):
    return _province_document(
        "province_summary", summary.province_summary, code, province, fmt, issuable=True
    )


@bp.route(f"/periods/<code>/provinces/<int:province>/decision.{FMT}")
@roles_required(*ISSUERS)
def decision(code: str, province: int, fmt: str):
    """Always a draft: the People's Committee numbers and signs the decision itself."""
    return _province_document("decision", summary.decision, code, province, fmt, issuable=False)


def _periods() -> list[AssessmentPeriod]:
    has = sa.select(ScoreSnapshot.id).where(ScoreSnapshot.period_id == AssessmentPeriod.id)
    return list(
        db.session.scalars(
            sa.select(AssessmentPeriod)
            .where(has.exists())
            .order_by(AssessmentPeriod.opens_on.desc(), AssessmentPeriod.code.desc())
        )
    )


@bp.route("/")
@roles_required(*ISSUERS)
def index():
    provinces = portal_settings.provinces()
    if current_user.role != Role.ADMIN:
        provinces = [p for p in provinces if p[0] == current_user.scope_province_code]
    return render_template(
        "documents/index.html",
        periods=_periods(),
        provinces=provinces,
        form=IssueForm(),
        signing=bool(signing.configured_signer()),
    )


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings_page():
    current = letterhead.load().values
    numbers = letterhead.next_numbers()
    data = {**current, **{f"next_{k}": v for k, v in numbers.items()}}
    form = LetterheadForm(data=None if request.method == "POST" else data)
    if form.validate_on_submit():
        try:
            changes = letterhead.update(
                actor=current_user,
                values={key: form[key].data for key in letterhead.DEFAULTS},
                numbers={kind: form[f"next_{kind}"].data for kind in letterhead.KINDS},
            )
        except PortalError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            if changes:
                flash(_("The document settings have been saved."), "success")
            else:
                flash(_("Nothing changed."), "info")
            return redirect(url_for(".settings_page"))
    return render_template(
        "documents/settings.html",
        form=form,
        keys=list(letterhead.DEFAULTS),
        kinds=letterhead.KINDS,
    )
