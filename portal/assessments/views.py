"""Self-assessment pages: the checklist, evidence files, and the admin's periods."""

from __future__ import annotations

import contextlib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.decorators import roles_required
from ..accounts.models import Role
from ..extensions import db, talisman
from ..shared.errors import PortalError
from ..shared.forms import choices
from ..shared.uploads import large_upload
from ..standards import services as standard_services
from ..standards.models import Criterion
from . import evidence as files
from . import services, sources
from .forms import PeriodForm, PeriodPickForm, field_name, read_answers
from .models import Assessment, AssessmentPeriod, Evidence

bp = Blueprint("assessments", __name__, url_prefix="/assessments", template_folder="templates")

VIEWERS = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)


def evidence_dir() -> str:
    return current_app.config.get("EVIDENCE_DIR") or f"{current_app.instance_path}/evidence"


def _assessment_or_404(assessment_id: int) -> Assessment:
    assessment = db.get_or_404(Assessment, assessment_id)
    if not services.can_view_assessment(current_user, assessment):
        abort(404)  # out of scope: indistinguishable from a missing id
    return assessment


def _evidence_or_404(evidence_id: int) -> Evidence:
    item = db.get_or_404(Evidence, evidence_id)
    if not services.can_view_assessment(current_user, item.assessment):
        abort(404)
    return item


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


@bp.route("/")
@roles_required(*VIEWERS)
def index():
    periods = services.list_periods()
    form = PeriodPickForm(request.args)
    form.period.choices = choices([(p.id, f"{p.code} · {p.name}") for p in periods])
    selected = next(
        (p for p in periods if p.id == form.period.data), periods[0] if periods else None
    )
    if selected is not None:
        form.period.data = selected.id
    today = services.today_local()
    mine = {}
    if current_user.role == Role.MANAGER and current_user.center is not None:
        mine = {p.id: services.find_assessment(p, current_user.center) for p in periods}
    listed = (
        services.scope_overview(current_user, selected)
        if selected is not None and current_user.role != Role.MANAGER
        else []
    )
    return render_template(
        "assessments/index.html",
        periods=periods,
        form=form,
        selected=selected,
        mine=mine,
        listed=listed,
        today=today,
        scores={a.id: services.score(a) for _, a in listed if a is not None},
        started=sum(1 for _, a in listed if a is not None),
        submitted=sum(1 for _, a in listed if a is not None and a.is_submitted),
    )


@bp.route("/start", methods=["POST"])
@roles_required(Role.MANAGER)
def start():
    period = db.get_or_404(AssessmentPeriod, request.form.get("period_id", type=int) or 0)
    if current_user.center is None:
        abort(403)
    try:
        assessment = services.start_assessment(period, current_user.center, actor=current_user)
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".index"))
    db.session.commit()
    return redirect(url_for(".detail", assessment_id=assessment.id))


def _render(assessment: Assessment, *, posted=None, errors=None, status: int = 200):
    period = assessment.period
    summary = services.score(assessment)
    editable = services.can_edit_assessment(current_user, assessment)
    answers = {a.criterion_id: a for a in assessment.answers}
    by_criterion: dict[int, list[Evidence]] = {}
    for item in assessment.evidence:
        by_criterion.setdefault(item.criterion_id, []).append(item)
    hints = {
        c.id: sources.compute(c.auto_source, assessment.center, period)
        for c in period.standard_version.criteria
        if c.auto_source
    }
    return (
        render_template(
            "assessments/detail.html",
            a=assessment,
            version=period.standard_version,
            summary=summary,
            editable=editable,
            answers=answers,
            evidence=by_criterion,
            reuse=services.reuse_warnings(assessment),
            hints=hints,
            posted=posted,
            errors=errors or {},
            field_name=field_name,
            max_mb=current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024),
        ),
        status,
    )


@bp.route("/<int:assessment_id>")
@roles_required(*VIEWERS)
def detail(assessment_id: int):
    return _render(_assessment_or_404(assessment_id))


def _summary_json(assessment: Assessment, errors: dict[int, str]) -> dict:
    summary = services.score(assessment)
    return {
        "revision": assessment.revision,
        "status": assessment.status,
        "answered": summary.answered,
        "total": summary.total,
        "compliance": None if summary.compliance is None else round(summary.compliance, 1),
        "gates_ok": summary.gates_ok,
        "areas": [
            {
                "code": p.area.code,
                "answered": p.answered,
                "total": p.total,
                "score": None if p.score is None else round(100 * p.score, 1),
            }
            for p in summary.areas
        ],
        "errors": {str(k): v for k, v in errors.items()},
    }


def _store_uploads(
    assessment: Assessment, criteria: dict[int, Criterion], written: list[str]
) -> tuple[int, list]:
    """Clean and store every file sent with the form; return (count, [(criterion, error)]).

    The names of the files written are appended to ``written`` so that the caller can
    remove them if the transaction does not commit.
    """
    stored, refused = 0, []
    cfg = current_app.config
    for key in request.files:
        if not (key.startswith("c") and key.endswith("-file")):
            continue
        try:
            criterion = criteria.get(int(key[1:-5]))
        except ValueError:
            criterion = None
        if criterion is None:
            continue
        for upload in request.files.getlist(key):
            if not upload or not upload.filename:
                continue
            data = upload.read(cfg["EVIDENCE_MAX_BYTES"] + 1)
            try:
                clean = files.clean_upload(
                    data, max_bytes=cfg["EVIDENCE_MAX_BYTES"], max_pixels=cfg["EVIDENCE_MAX_PIXELS"]
                )
            except files.EvidenceError as exc:
                refused.append((criterion, exc.message))
                continue
            name = files.new_storage_name(clean.extension)
            files.write_file(evidence_dir(), name, clean.content)
            written.append(name)
            services.add_evidence(
                assessment,
                criterion,
                clean,
                storage_name=name,
                original_name=upload.filename,
                actor=current_user,
            )
            stored += 1
    return stored, refused


@bp.route("/<int:assessment_id>", methods=["POST"])
@roles_required(*VIEWERS)
@large_upload(bytes_key="EVIDENCE_MAX_REQUEST_BYTES", parts_key="EVIDENCE_MAX_FORM_PARTS")
def save(assessment_id: int):
    """Save answers (and attached files); ``action=submit`` also submits.

    A phone checklist form carries many fields and a few photos, hence the larger limits.
    """
    assessment = _assessment_or_404(assessment_id)
    if not services.can_edit_assessment(current_user, assessment):
        abort(403)
    criteria = {c.id: c for c in assessment.period.standard_version.criteria}
    written: list[str] = []
    submit_error = None
    try:
        errors = services.save_answers(
            assessment, read_answers(request.form, criteria.values()), actor=current_user
        )
        stored, refused = _store_uploads(assessment, criteria, written)
        if request.form.get("action") == "submit" and not errors and not refused:
            try:
                services.submit(assessment, actor=current_user)
            except PortalError as exc:
                submit_error = exc.message
        db.session.commit()
    except Exception:
        db.session.rollback()
        for name in written:  # no row points at them: do not leave orphans behind
            with contextlib.suppress(OSError, ValueError):
                files.file_path(evidence_dir(), name).unlink()
        raise
    if _wants_json():
        return jsonify(_summary_json(assessment, errors)), (422 if errors else 200)
    for criterion, message in refused:
        errors.setdefault(criterion.id, message)
        flash(_("%(code)s: file refused. %(reason)s", code=criterion.code, reason=message), "error")
    if stored:
        flash(ngettext("%(num)d file attached.", "%(num)d files attached.", stored), "success")
    if errors:
        flash(_("Some answers were not saved: see the marked criteria."), "error")
        return _render(assessment, posted=request.form, errors=errors, status=422)
    if submit_error:
        flash(submit_error, "error")
    elif assessment.is_submitted:
        flash(_("The self-assessment has been submitted."), "success")
        return redirect(url_for(".detail", assessment_id=assessment.id))
    else:
        flash(_("Draft saved."), "success")
    anchor = request.form.get("anchor", "")
    return redirect(
        url_for(".detail", assessment_id=assessment.id) + (f"#{anchor}" if anchor.isalnum() else "")
    )


@bp.route("/evidence/<int:evidence_id>")
@roles_required(*VIEWERS)
@talisman(content_security_policy="sandbox; default-src 'none'; img-src 'self'")
def evidence_file(evidence_id: int):
    item = _evidence_or_404(evidence_id)
    try:
        path = files.file_path(evidence_dir(), item.storage_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    download = item.kind == "pdf" or request.args.get("download") == "1"
    response = send_file(
        path,
        mimetype=item.content_type,
        as_attachment=download,
        download_name=f"evidence-{item.id}.{item.storage_name.rsplit('.', 1)[-1]}",
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/evidence/<int:evidence_id>/delete", methods=["POST"])
@roles_required(*VIEWERS)
def evidence_delete(evidence_id: int):
    item = _evidence_or_404(evidence_id)
    assessment = item.assessment
    try:
        name = services.delete_evidence(item, actor=current_user)
    except PortalError:
        abort(403)
    db.session.commit()
    with contextlib.suppress(OSError, ValueError):
        files.file_path(evidence_dir(), name).unlink()
    flash(_("The file has been removed."), "success")
    return redirect(url_for(".detail", assessment_id=assessment.id))


# Periods (administrators) ---------------------------------------------------------------------


@bp.route("/periods/")
@roles_required(Role.ADMIN)
def periods():
    return render_template(
        "assessments/periods.html", periods=services.list_periods(), today=services.today_local()
    )


@bp.route("/periods/new", methods=["GET", "POST"])
@bp.route("/periods/<int:period_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def period_edit(period_id: int | None = None):
    period = db.get_or_404(AssessmentPeriod, period_id) if period_id else None
    form = PeriodForm(obj=period)
    versions = standard_services.list_versions()
    form.standard_version_id.choices = choices(
        [(v.id, f"{v.name} (v{v.version})") for v in versions]
    )
    pinned = request.args.get("version", type=int)
    if period is None and request.method == "GET" and pinned in {v.id for v in versions}:
        form.standard_version_id.data = pinned  # "open a new period with this version"
    if period is not None:
        form.code.render_kw = {"readonly": True}
        if request.method == "POST":
            form.code.data = period.code
    if form.validate_on_submit():
        version = next(v for v in versions if v.id == form.standard_version_id.data)
        values = {
            "name": form.name.data,
            "kind": form.kind.data,
            "opens_on": form.opens_on.data,
            "closes_on": form.closes_on.data,
            "standard_version": version,
        }
        try:
            if period is None:
                services.create_period(actor=current_user, code=form.code.data, **values)
            else:
                services.update_period(period, actor=current_user, **values)
        except PortalError as exc:
            db.session.rollback()
            form.form_errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("The period has been saved."), "success")
            return redirect(url_for(".periods"))
    return render_template(
        "assessments/period_edit.html", form=form, period=period, has_versions=bool(versions)
    )
