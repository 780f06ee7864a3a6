"""Self-assessment pages: the checklist, evidence files, and the admin's periods."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

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

from ..accounts.decorators import center_or_abort, roles_required
from ..accounts.models import Role
from ..database import begin_writing, reads_before_writing
from ..extensions import db, talisman
from ..inspections.state import assessment_state, states_of
from ..rankings import sources
from ..shared.errors import PortalError
from ..shared.forms import choices
from ..shared.timeutils import now_utc
from ..shared.uploads import large_upload
from ..shared.validation import parse_id
from ..standards import services as standard_services
from ..standards.models import Criterion
from . import evidence as files
from . import services
from .forms import ConfirmForm, PeriodForm, PeriodPickForm, field_name, read_answers
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
    form.period.choices = choices([(p.id, f"{p.code} · {p.label}") for p in periods])
    selected = services.choose_period(periods, request.args.get("period"), user=current_user)
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
    states = states_of(
        [a for a in mine.values() if a is not None] + [a for _, a in listed if a is not None],
        current_user,
        today=today,
    )
    return render_template(
        "assessments/index.html",
        states=states,
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


@bp.route("/center/<code>")
@roles_required(*VIEWERS)
def center(code: str):
    """One center's checklists, every period (linked from the center's page)."""
    center = center_or_abort(code)
    assessments = services.center_assessments(center)
    return render_template(
        "assessments/center.html",
        center=center,
        assessments=assessments,
        scores={a.id: services.score(a) for a in assessments},
    )


@bp.route("/start", methods=["POST"])
@roles_required(Role.MANAGER)
def start():
    period = db.get_or_404(AssessmentPeriod, parse_id(request.form.get("period_id")) or 0)
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


def _area_code(assessment: Assessment, value: str | None) -> str | None:
    """The area shown alone (``?area=``), if it is one of the standard's areas."""
    codes = {area.code for area in assessment.period.standard_version.areas}
    return value if value in codes else None


def _render(assessment: Assessment, *, posted=None, errors=None, status: int = 200):
    period = assessment.period
    summary = services.score(assessment)
    editable = services.can_edit_assessment(current_user, assessment)
    answers = {a.criterion_id: a for a in assessment.answers}
    by_criterion: dict[int, list[Evidence]] = {}
    for item in assessment.evidence:
        by_criterion.setdefault(item.criterion_id, []).append(item)
    criteria = period.standard_version.criteria
    hints = {
        c.id: sources.compute(c.auto_source, assessment.center, period)
        for c in criteria
        if c.auto_source
    }
    errors = errors or {}
    return (
        render_template(
            "assessments/detail.html",
            a=assessment,
            version=period.standard_version,
            summary=summary,
            progress={p.area.code: p for p in summary.areas},
            area_code=_area_code(assessment, request.args.get("area")),
            error_areas={c.area.code for c in criteria if c.id in errors},
            missing=services.missing_answers(assessment),
            editable=editable,
            state=assessment_state(assessment, current_user),
            answers=answers,
            evidence=by_criterion,
            reuse=services.reuse_warnings(assessment, viewer=current_user),
            hints=hints,
            posted=posted,
            errors=errors,
            field_name=field_name,
            max_mb=current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024),
        ),
        status,
    )


@bp.route("/<int:assessment_id>")
@roles_required(*VIEWERS)
def detail(assessment_id: int):
    return _render(_assessment_or_404(assessment_id))


@bp.route("/<int:assessment_id>/submit", methods=["GET"])
@roles_required(Role.MANAGER)
def submit_confirm(assessment_id: int):
    """The confirmation step of a submission: what it will do, or what still stops it."""
    assessment = _assessment_or_404(assessment_id)
    if not services.can_edit_assessment(current_user, assessment):
        flash(_("This self-assessment cannot be changed."), "error")
        return redirect(url_for(".detail", assessment_id=assessment.id))
    criteria = [c for c in assessment.period.standard_version.criteria if not c.is_informational]
    return render_template(
        "assessments/submit_confirm.html",
        a=assessment,
        summary=services.score(assessment),
        missing=services.missing_answers(assessment),
        answered=len(criteria) - len(services.missing_answers(assessment)),
        total=len(criteria),
    )


@bp.route("/<int:assessment_id>/submit", methods=["POST"])
@roles_required(Role.MANAGER)
def submit(assessment_id: int):
    """Submit, after the confirmation step (the answers were saved before it)."""
    assessment = _assessment_or_404(assessment_id)
    if not services.can_edit_assessment(current_user, assessment):
        abort(403)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    begin_writing()
    try:
        services.submit(assessment, actor=current_user)
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".submit_confirm", assessment_id=assessment.id))
    db.session.commit()
    flash(_("The self-assessment has been submitted."), "success")
    return redirect(url_for(".detail", assessment_id=assessment.id))


@bp.route("/<int:assessment_id>/print")
@roles_required(*VIEWERS)
def printable(assessment_id: int):
    """Every area and answer on plain pages, for printing or saving as PDF."""
    assessment = _assessment_or_404(assessment_id)
    summary = services.score(assessment)
    evidence_counts: dict[int, int] = {}
    for item in assessment.evidence:
        evidence_counts[item.criterion_id] = evidence_counts.get(item.criterion_id, 0) + 1
    return render_template(
        "assessments/print.html",
        a=assessment,
        version=assessment.period.standard_version,
        summary=summary,
        progress={p.area.code: p for p in summary.areas},
        answers={a.criterion_id: a for a in assessment.answers},
        evidence_counts=evidence_counts,
        printed_at=now_utc(),
    )


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
        "missing": [c.id for c in services.missing_answers(assessment)],
    }


@dataclass
class _Upload:
    criterion_id: int
    clean: files.CleanFile
    storage_name: str
    original_name: str


def _clean_uploads(criteria: dict[int, Criterion], written: list[str]) -> tuple[list, list]:
    """Clean and write every file sent with the form, outside any write transaction
    (decoding and re-encoding a 12 MP photo takes about a second and a half).

    Returns ``([_Upload…], [(criterion, error)…])``; the names of the files written are
    appended to ``written`` so that the caller removes them if nothing commits. At most
    ``EVIDENCE_MAX_FILES_PER_SAVE`` files are taken from one save.
    """
    cleaned, refused = [], []
    cfg = current_app.config
    max_files = cfg["EVIDENCE_MAX_FILES_PER_SAVE"]
    taken = 0
    for key in request.files:
        if not (key.startswith("c") and key.endswith("-file")):
            continue
        criterion = criteria.get(parse_id(key[1:-5]) or 0)
        if criterion is None:
            continue
        for upload in request.files.getlist(key):
            if not upload or not upload.filename:
                continue
            if taken >= max_files:
                message = _(
                    "Too many files at once: at most %(n)d per save. Send the others in "
                    "another save.",
                    n=max_files,
                )
                refused.append((criterion, message))
                continue
            taken += 1
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
            cleaned.append(_Upload(criterion.id, clean, name, upload.filename))
    return cleaned, refused


def _remove(written: list[str]) -> None:
    for name in written:  # no row points at them: do not leave orphans behind
        with contextlib.suppress(OSError, ValueError):
            files.file_path(evidence_dir(), name).unlink()


@bp.route("/<int:assessment_id>", methods=["POST"])
@reads_before_writing
@roles_required(*VIEWERS)
@large_upload(bytes_key="EVIDENCE_MAX_REQUEST_BYTES", parts_key="EVIDENCE_MAX_FORM_PARTS")
def save(assessment_id: int):
    """Save answers (and attached files); ``action=submit`` also submits.

    A phone checklist form carries many fields and a few photos, hence the larger limits.
    The files are checked and re-encoded first, in a read-only transaction, so that a long
    upload never holds the SQLite write lock that citizens' ratings need; the answers and
    the evidence rows are then written in one short transaction.
    """
    assessment = _assessment_or_404(assessment_id)
    if not services.can_edit_assessment(current_user, assessment):
        abort(403)
    criteria = {c.id: c for c in assessment.period.standard_version.criteria}
    written: list[str] = []
    try:
        cleaned, refused_files = _clean_uploads(criteria, written)
    except Exception:
        _remove(written)
        raise
    begin_writing()
    submit_error = None
    try:
        # Reloaded in the write transaction: the rights are checked again there.
        assessment = _assessment_or_404(assessment_id)
        if not services.can_edit_assessment(current_user, assessment):
            abort(403)
        criteria = {c.id: c for c in assessment.period.standard_version.criteria}
        refused = [(criteria[c.id], message) for c, message in refused_files]
        errors = services.save_answers(
            assessment, read_answers(request.form, criteria.values()), actor=current_user
        )
        for item in cleaned:
            services.add_evidence(
                assessment,
                criteria[item.criterion_id],
                item.clean,
                storage_name=item.storage_name,
                original_name=item.original_name,
                actor=current_user,
            )
        stored = len(cleaned)
        submitting = request.form.get("action") == "submit" and not errors and not refused
        # Not confirmed yet: save, then show what submitting will do (a submission that
        # still misses answers is refused at once, with the missing list).
        confirming = (
            submitting
            and request.form.get("confirm") != "1"
            and not services.missing_answers(assessment)
        )
        if submitting and not confirming:
            try:
                services.submit(assessment, actor=current_user)
            except PortalError as exc:
                submit_error = exc.message
        db.session.commit()
    except BaseException:
        db.session.rollback()
        _remove(written)
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
    if confirming:  # the answers are saved; the submission waits for its confirmation step
        return redirect(url_for(".submit_confirm", assessment_id=assessment.id))
    if submit_error:
        flash(submit_error, "error")
    elif assessment.is_submitted:
        flash(_("The self-assessment has been submitted."), "success")
        return redirect(url_for(".detail", assessment_id=assessment.id))
    else:
        flash(_("Draft saved."), "success")
    goto = _area_code(assessment, request.form.get("goto"))
    if goto is not None:  # "Save and go to the next area"
        return redirect(
            url_for(".detail", assessment_id=assessment.id, area=goto) + f"#area-{goto}"
        )
    anchor = request.form.get("anchor", "")
    return redirect(
        url_for(".detail", assessment_id=assessment.id)
        + (f"#{anchor}" if ANCHOR.fullmatch(anchor) else "")
    )


#: A criterion's or an area's id on the checklist page (``c-NL04``, ``area-NL``).
ANCHOR = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,39}")


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
    code = item.criterion.code
    try:
        name = services.delete_evidence(item, actor=current_user)
    except PortalError:
        abort(403)
    db.session.commit()
    with contextlib.suppress(OSError, ValueError):
        files.file_path(evidence_dir(), name).unlink()
    flash(_("The file has been removed."), "success")
    return redirect(url_for(".detail", assessment_id=assessment.id) + f"#c-{code}")


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
    valid = form.validate_on_submit()
    warnings: list[str] = []
    if valid:
        warnings = services.date_warnings(
            kind=form.kind.data,
            opens_on=form.opens_on.data,
            closes_on=form.closes_on.data,
            exclude_id=period.id if period else None,
        )
    if warnings and not form.confirm_dates.data:
        # Shown beside the dates, with the box that saves them anyway (like the other
        # refusals of this form, the page comes back with what was typed).
        form.opens_on.errors = [*form.opens_on.errors, *warnings]
        return render_template(
            "assessments/period_edit.html",
            form=form,
            period=period,
            has_versions=bool(versions),
            confirm_dates=True,
        )
    if valid:
        version = next(v for v in versions if v.id == form.standard_version_id.data)
        values: services.PeriodFields = {
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
