"""Inspection pages: the inspector's queue, the review of an assessment (shared with the
center's manager), appeals, on-site visits and corrective actions."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from math import ceil

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..accounts.decorators import roles_required
from ..accounts.models import Role
from ..assessments import evidence as files
from ..assessments import services as checklist
from ..assessments.models import Assessment
from ..database import begin_writing, reads_before_writing
from ..extensions import db
from ..i18n import format_number
from ..rankings import sources
from ..shared import labels
from ..shared.errors import PortalError
from ..shared.forms import choices
from ..shared.timeutils import now_utc, today_local
from ..shared.uploads import large_upload
from ..standards.models import Criterion
from . import corrections, results
from .access import can_inspect, can_view_inspection, check_center_manager
from .actions import add_action_evidence, close_action, confirm_action, create_action
from .appeals import appeal_open_for_filing, decide_appeal, file_appeal, open_appeal
from .corrections import add_evidence, fix_answer
from .forms import (
    ActionForm,
    QueueFilterForm,
    VisitForm,
    answer_input,
    appeal_decisions,
    appeal_reasons,
    verdict_input,
)
from .models import (
    QUEUE_STATUS_LABELS,
    RESULT_STATE_LABELS,
    VERDICT_LABELS,
    Appeal,
    CorrectiveAction,
    Inspection,
    InspectionStatus,
    Verdict,
    Visit,
)
from .queue import queue, queue_status, result_state, unit_types, waiting_elsewhere
from .review import accept_remaining, record_verdict, return_for_correction, start_review
from .steps import find_inspection, history, items_by_criterion
from .visits import attach_visit_photo, record_visit

bp = Blueprint("inspections", __name__, url_prefix="/inspections", template_folder="templates")

INSPECTORS = (Role.ADMIN, Role.INSPECTOR)
VIEWERS = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)


def evidence_dir() -> str:
    return current_app.config.get("EVIDENCE_DIR") or f"{current_app.instance_path}/evidence"


def _assessment_or_404(assessment_id: int) -> Assessment:
    assessment = db.get_or_404(Assessment, assessment_id)
    if not checklist.can_view_assessment(current_user, assessment):
        abort(404)
    return assessment


def _inspection_or_404(inspection_id: int) -> Inspection:
    inspection = db.get_or_404(Inspection, inspection_id)
    if not can_view_inspection(current_user, inspection):
        abort(404)
    return inspection


def _criterion_or_404(inspection: Inspection, criterion_id: int) -> Criterion:
    criterion = db.get_or_404(Criterion, criterion_id)
    if criterion.version_id != inspection.assessment.period.standard_version_id:
        abort(404)
    return criterion


def _back(inspection: Inspection, anchor: str = ""):
    url = url_for(".review", assessment_id=inspection.assessment_id)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _refuse(exc: PortalError, inspection: Inspection, anchor: str = "", *, keep: str = ""):
    """Refuse a step: the error at the top and, for a criterion's form (``keep``: the
    form's name), beside the form too, with what was typed, once the page reloads at it."""
    db.session.rollback()
    flash(exc.message, "error")
    if keep:
        session[KEPT_FORM] = {
            "inspection": inspection.id,
            "form": keep,
            "criterion": request.view_args.get("criterion_id"),
            "fields": {k: v for k, v in request.form.items() if k in KEPT_FIELDS},
            "error": exc.message,
        }
    return _back(inspection, anchor)


def _take_step(
    inspection: Inspection,
    step: Callable[..., object],
    saved: str,
    anchor: str = "",
    *,
    keep: str = "",
):
    """Take ``step`` as the current user: success is committed and goes back to the review
    at ``anchor`` with ``saved``; a refusal goes through :func:`_refuse`."""
    try:
        step(actor=current_user)
    except PortalError as exc:
        return _refuse(exc, inspection, anchor, keep=keep)
    return _done(inspection, saved, anchor)


def _done(inspection: Inspection, saved: str, anchor: str = ""):
    """A step went through: commit it and go back to the review at ``anchor`` with ``saved``."""
    db.session.commit()
    flash(saved, "success")
    return _back(inspection, anchor)


#: The session key of a refused criterion form, and the fields it keeps (not the files).
KEPT_FORM = "kept_form"
KEPT_FIELDS = ("verdict", "reason", "choice", "number", "na", "note")


def _kept_form(inspection: Inspection | None) -> dict | None:
    """The refused form of this inspection, once (the next page view forgets it)."""
    kept = session.pop(KEPT_FORM, None)
    if not kept or inspection is None or kept.get("inspection") != inspection.id:
        return None
    values = kept["fields"]
    try:
        values["number"] = float(values["number"]) if values.get("number") else None
    except ValueError:
        values["number"] = None
    return kept


def _store_files(inspection: Inspection, criterion: Criterion, field: str, written: list[str]):
    """Clean and store the files of one form field through the evidence pipeline.

    Called by the upload views before :func:`begin_writing`: decoding photos takes
    seconds, and must not hold the SQLite write lock that citizens' ratings need. The
    views then reload what they checked, in the write transaction, and record the files.
    """
    cfg = current_app.config
    stored = []
    for upload in request.files.getlist(field):
        if not upload or not upload.filename:
            continue
        data = upload.read(cfg["EVIDENCE_MAX_BYTES"] + 1)
        clean = files.clean_upload(
            data, max_bytes=cfg["EVIDENCE_MAX_BYTES"], max_pixels=cfg["EVIDENCE_MAX_PIXELS"]
        )
        name = files.new_storage_name(clean.extension)
        files.write_file(evidence_dir(), name, clean.content)
        written.append(name)
        stored.append((clean, name, upload.filename))
    return stored


def _store_criteria_files(inspection: Inspection, prefix: str, written: list[str]):
    """:func:`_store_files` of the fields ``{prefix}-{criterion id}`` of every criterion."""
    return [
        (c.id, _store_files(inspection, c, f"{prefix}-{c.id}", written))
        for c in inspection.assessment.period.standard_version.criteria
    ]


def _with_criteria(inspection: Inspection, stored):
    """The files of :func:`_store_criteria_files` by criterion, the criteria read again in
    the write transaction."""
    criteria = {c.id: c for c in inspection.assessment.period.standard_version.criteria}
    return [(criteria[criterion_id], files_of) for criterion_id, files_of in stored]


def _add_evidence(inspection: Inspection, criterion: Criterion, stored) -> None:
    """Record the files :func:`_store_files` wrote as evidence of ``criterion``."""
    for clean, name, original in stored:
        add_evidence(
            inspection,
            criterion,
            clean,
            storage_name=name,
            original_name=original,
            actor=current_user,
        )


def _remove(written: list[str]) -> None:
    for name in written:
        with contextlib.suppress(OSError, ValueError):
            files.file_path(evidence_dir(), name).unlink()


def _confirmed() -> bool:
    """The person saw the confirmation step (a final action posted without it shows it)."""
    return request.form.get("confirm") == "1"


def _confirm(inspection: Inspection, *, title: str, button: str, consequences: list[str]):
    """The confirmation step of a final action: what it will do, then the same action with
    ``confirm=1`` (without JavaScript too). Shown only to whoever may take the action."""
    center = inspection.assessment.center
    if current_user.role == Role.MANAGER:
        allowed = current_user.center_id == center.id
    else:
        allowed = can_inspect(current_user, center)
    if not allowed:
        abort(403)
    return render_template(
        "inspections/confirm.html",
        a=inspection.assessment,
        title=title,
        button=button,
        consequences=consequences,
        action=request.path,
        back=url_for(".review", assessment_id=inspection.assessment_id),
    )


# Queue --------------------------------------------------------------------------------------


@bp.route("/")
@roles_required(*INSPECTORS)
def index():
    periods = checklist.list_periods()
    form = QueueFilterForm(request.args)
    form.period.choices = choices([(p.id, f"{p.code} · {p.label}") for p in periods])
    form.area.choices = choices(
        [("", _("All kinds"))] + [(t, labels.unit_type(t)) for t in unit_types(current_user)]
    )
    selected = checklist.choose_period(periods, request.args.get("period"), user=current_user)
    rows, page, pages = [], 1, 1
    counts: dict[str, int] = {}
    if selected is not None:
        form.period.data = selected.id
        all_rows = queue(current_user, selected)
        for row in all_rows:
            counts[row.status] = counts.get(row.status, 0) + 1
        rows = queue(
            current_user,
            selected,
            status=form.status.data or "",
            level=form.level.data or "",
            area=form.area.data or "",
            standardized=form.standardized.data or "",
            search=form.q.data or "",
            sort=form.sort.data or "age",
        )
        per_page = current_app.config["PER_PAGE"]
        pages = max(1, ceil(len(rows) / per_page))
        page = min(max(request.args.get("page", 1, type=int), 1), pages)
        total = len(rows)
        rows = rows[(page - 1) * per_page : page * per_page]
    else:
        total = 0
    return render_template(
        "inspections/index.html",
        form=form,
        selected=selected,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        counts=counts,
        labels=QUEUE_STATUS_LABELS,
        state_labels=RESULT_STATE_LABELS,
        elsewhere=waiting_elsewhere(current_user, selected) if selected else [],
        today=today_local(),
        now=now_utc(),
    )


# Review (inspector and manager) ------------------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>")
@roles_required(*VIEWERS)
def review(assessment_id: int):
    assessment = _assessment_or_404(assessment_id)
    inspection = find_inspection(assessment)
    period = assessment.period
    version = period.standard_version
    evidence: dict[int, list] = {}
    for item in assessment.evidence:
        evidence.setdefault(item.criterion_id, []).append(item)
    inspector = can_inspect(current_user, assessment.center)
    manager = current_user.role == Role.MANAGER
    action_form = None
    if inspection is not None and inspector:
        action_form = ActionForm()
        action_form.criterion_id.choices = choices(
            [(c.id, f"{c.code} · {c.text[:80]}") for c in version.criteria]
        )
    today = today_local()
    return render_template(
        "inspections/review.html",
        a=assessment,
        inspection=inspection,
        version=version,
        answers={x.criterion_id: x for x in assessment.answers},
        items=items_by_criterion(inspection) if inspection else {},
        history=history(inspection) if inspection else {},
        evidence=evidence,
        reuse=checklist.reuse_warnings(assessment, viewer=current_user),
        hints={
            c.id: sources.compute(c.auto_source, assessment.center, period)
            for c in version.criteria
            if c.auto_source
        },
        outcomes=sources.outcome_checks(
            version.criteria,
            assessment.center,
            period,
            {x.criterion_id: x for x in assessment.answers},
        ),
        summary=checklist.score(assessment),
        inspector=inspector,
        manager=manager,
        can_review=inspector
        and inspection is not None
        and inspection.status in (InspectionStatus.UNDER_REVIEW, InspectionStatus.RESUBMITTED),
        result_state=result_state(inspection, today) if inspection else None,
        state_labels=RESULT_STATE_LABELS,
        verdict_labels=VERDICT_LABELS,
        status_label=QUEUE_STATUS_LABELS[queue_status(assessment, inspection)],
        can_appeal=manager and inspection is not None and appeal_open_for_filing(inspection),
        open_appeal=open_appeal(inspection) if inspection else None,
        action_form=action_form,
        kept=_kept_form(inspection),
        today=today,
        max_mb=current_app.config["EVIDENCE_MAX_BYTES"] // (1024 * 1024),
    )


@bp.route("/assessments/<int:assessment_id>/start", methods=["POST"])
@roles_required(*INSPECTORS)
def start(assessment_id: int):
    assessment = _assessment_or_404(assessment_id)
    try:
        start_review(assessment, actor=current_user)
    except PortalError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for(".review", assessment_id=assessment.id))
    db.session.commit()
    flash(_("The review has started."), "success")
    return redirect(url_for(".review", assessment_id=assessment.id))


@bp.route("/<int:inspection_id>/criteria/<int:criterion_id>/verdict", methods=["POST"])
@roles_required(*INSPECTORS)
def verdict(inspection_id: int, criterion_id: int):
    inspection = _inspection_or_404(inspection_id)
    criterion = _criterion_or_404(inspection, criterion_id)
    return _take_step(
        inspection,
        partial(record_verdict, inspection, criterion, verdict_input(request.form)),
        _("%(code)s: verdict saved.", code=criterion.code),
        f"c-{criterion.code}",
        keep="verdict",
    )


@bp.route("/<int:inspection_id>/accept-rest", methods=["POST"])
@roles_required(*INSPECTORS)
def accept_rest(inspection_id: int):
    inspection = _inspection_or_404(inspection_id)
    if not _confirmed():
        answered = {a.criterion_id for a in inspection.assessment.answers}
        codes = [
            i.criterion.code
            for i in sorted(inspection.items, key=lambda i: i.criterion.position)
            if i.verdict is None and (i.criterion_id in answered or i.criterion.is_informational)
        ]
        if codes:
            return _confirm(
                inspection,
                title=_("Accept every criterion without a verdict"),
                button=_("Accept %(num)d criteria", num=len(codes)),
                consequences=[
                    _(
                        "%(num)d criteria without a verdict are accepted as the center "
                        "answered them: %(codes)s.",
                        num=len(codes),
                        codes=", ".join(codes),
                    ),
                    _("Each acceptance is written to the criterion's history."),
                ],
            )
    try:
        count = accept_remaining(inspection, actor=current_user)
    except PortalError as exc:
        return _refuse(exc, inspection)
    return _done(
        inspection, ngettext("%(num)d criterion accepted.", "%(num)d criteria accepted.", count)
    )


@bp.route("/<int:inspection_id>/return", methods=["POST"])
@roles_required(*INSPECTORS)
def return_(inspection_id: int):
    inspection = _inspection_or_404(inspection_id)
    asked = sorted(
        (i for i in inspection.items if i.verdict == Verdict.CORRECT),
        key=lambda i: i.criterion.position,
    )
    if not _confirmed() and asked and inspection.status != InspectionStatus.RETURNED:
        return _confirm(
            inspection,
            title=_("Return for correction"),
            button=_("Return to the center"),
            consequences=[
                _(
                    "The center is asked to correct %(num)d criteria: %(codes)s.",
                    num=len(asked),
                    codes=", ".join(f"{i.criterion.code} ({i.reason})" for i in asked),
                ),
                _(
                    "The review pauses until the center sends its corrections; you cannot "
                    "finalize meanwhile."
                ),
                _("The center's manager sees the requests on every page."),
            ],
        )
    returned = _("The assessment has been returned to the center for correction.")
    return _take_step(inspection, partial(return_for_correction, inspection), returned)


@bp.route("/<int:inspection_id>/finalize", methods=["POST"])
@roles_required(*INSPECTORS)
def finalize(inspection_id: int):
    inspection = _inspection_or_404(inspection_id)
    ready = all(
        i.verdict in (Verdict.ACCEPT, Verdict.ADJUST) or i.criterion.is_informational
        for i in inspection.items
    )
    if not _confirmed() and ready and not inspection.is_locked:
        preview = results.compute_result(inspection)
        days = current_app.config["APPEAL_WINDOW_DAYS"]
        return _confirm(
            inspection,
            title=_("Finalize"),
            button=_("Finalize the result"),
            consequences=[
                _(
                    "Verified score (C_verified) %(verified)s, self-assessed (C_self) "
                    "%(own)s; standardized: %(standardized)s.",
                    verified=format_number(preview.verified_score, 1),
                    own=format_number(preview.self_score, 1),
                    standardized=_("Yes") if preview.standardized else _("No"),
                ),
                _("No verdict can be changed afterwards; only an appeal can change the result."),
                _(
                    "The result is provisional for %(days)d days (until %(day)s), while the "
                    "center may appeal; then it is final and counts in the rankings.",
                    days=days,
                    day=format_date(today_local() + timedelta(days=days), "dd/MM/yyyy"),
                ),
            ],
        )
    days = current_app.config["APPEAL_WINDOW_DAYS"]
    finalize_it = partial(results.finalize, inspection, appeal_window_days=days)
    return _take_step(inspection, finalize_it, _("The result has been finalized."))


@bp.route("/<int:inspection_id>/criteria/<int:criterion_id>/fix", methods=["POST"])
@reads_before_writing
@roles_required(Role.MANAGER)
@large_upload(bytes_key="EVIDENCE_MAX_REQUEST_BYTES", parts_key="EVIDENCE_MAX_FORM_PARTS")
def fix(inspection_id: int, criterion_id: int):
    inspection = _inspection_or_404(inspection_id)
    criterion = _criterion_or_404(inspection, criterion_id)
    written: list[str] = []
    try:
        stored = _store_files(inspection, criterion, "file", written)
    except PortalError as exc:
        _remove(written)
        return _refuse(exc, inspection, f"c-{criterion.code}")
    except BaseException:
        _remove(written)
        raise
    begin_writing()
    inspection = _inspection_or_404(inspection_id)
    criterion = _criterion_or_404(inspection, criterion_id)
    try:
        fix_answer(inspection, criterion, answer_input(request.form), actor=current_user)
        _add_evidence(inspection, criterion, stored)
    except PortalError as exc:
        _remove(written)
        return _refuse(exc, inspection, f"c-{criterion.code}", keep="fix")
    return _done(
        inspection, _("%(code)s: correction saved.", code=criterion.code), f"c-{criterion.code}"
    )


@bp.route("/<int:inspection_id>/resubmit", methods=["POST"])
@roles_required(Role.MANAGER)
def resubmit(inspection_id: int):
    inspection = _inspection_or_404(inspection_id)
    if not _confirmed() and inspection.status == InspectionStatus.RETURNED:
        reopened = sorted(
            (i for i in inspection.items if i.reopened), key=lambda i: i.criterion.position
        )
        untouched = [i.criterion.code for i in reopened if not i.changed]
        lines = [
            _(
                "The corrected criteria go back to the inspector: %(codes)s.",
                codes=", ".join(i.criterion.code for i in reopened),
            ),
            _("You cannot change them afterwards, unless the inspector returns them again."),
        ]
        if untouched:
            lines.insert(
                1,
                _(
                    "Not changed since the request: %(codes)s. They are sent as they are.",
                    codes=", ".join(untouched),
                ),
            )
        return _confirm(
            inspection,
            title=_("Send the corrections to the inspector"),
            button=_("Send the corrections"),
            consequences=lines,
        )
    sent = _("The corrections have been sent to the inspector.")
    return _take_step(inspection, partial(corrections.resubmit, inspection), sent)


# Appeals ------------------------------------------------------------------------------------------


@bp.route("/<int:inspection_id>/appeal", methods=["GET", "POST"])
@reads_before_writing
@roles_required(Role.MANAGER)
@large_upload(bytes_key="EVIDENCE_MAX_REQUEST_BYTES", parts_key="EVIDENCE_MAX_FORM_PARTS")
def appeal(inspection_id: int):
    inspection = _inspection_or_404(inspection_id)
    version = inspection.assessment.period.standard_version
    if request.method == "POST":
        written: list[str] = []
        try:
            stored = _store_criteria_files(inspection, "file", written)
            begin_writing()
            inspection = _inspection_or_404(inspection_id)
            version = inspection.assessment.period.standard_version
            for criterion, files_of in _with_criteria(inspection, stored):
                _add_evidence(inspection, criterion, files_of)
            file_appeal(inspection, appeal_reasons(request.form), actor=current_user)
        except (PortalError, IntegrityError) as exc:
            # IntegrityError: the one-open-appeal index caught a simultaneous filing.
            db.session.rollback()
            _remove(written)
            message = getattr(exc, "message", None)
            flash(message or _("This result has already been appealed."), "error")
        else:
            return _done(inspection, _("Your appeal has been filed."))
    return render_template(
        "inspections/appeal.html",
        inspection=inspection,
        a=inspection.assessment,
        version=version,
        items=items_by_criterion(inspection),
        can_appeal=appeal_open_for_filing(inspection),
    )


@bp.route("/appeals/<int:appeal_id>", methods=["GET", "POST"])
@roles_required(*INSPECTORS)
def decide(appeal_id: int):
    item = db.get_or_404(Appeal, appeal_id)
    inspection = item.inspection
    if not can_inspect(current_user, inspection.assessment.center):
        abort(404)
    if request.method == "POST":
        try:
            decide_appeal(
                item,
                appeal_decisions(request.form, [i.criterion_id for i in item.items]),
                actor=current_user,
            )
        except PortalError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            return _done(
                inspection, _("The appeal has been decided and the result computed again.")
            )
    return render_template(
        "inspections/decide.html",
        appeal=item,
        inspection=inspection,
        a=inspection.assessment,
        items=items_by_criterion(inspection),
        answers={x.criterion_id: x for x in inspection.assessment.answers},
        own_decision=current_user.id == inspection.finalized_by_id,
    )


# Visits ----------------------------------------------------------------------------------------


@bp.route("/<int:inspection_id>/visits/new", methods=["GET", "POST"])
@reads_before_writing
@roles_required(*INSPECTORS)
@large_upload(bytes_key="EVIDENCE_MAX_REQUEST_BYTES", parts_key="EVIDENCE_MAX_FORM_PARTS")
def visit_new(inspection_id: int):
    inspection = _inspection_or_404(inspection_id)
    if not can_inspect(current_user, inspection.assessment.center):
        abort(403)
    version = inspection.assessment.period.standard_version
    form = VisitForm()
    if form.validate_on_submit():
        written: list[str] = []
        findings = {
            c.id: request.form.get(f"finding-{c.id}", "")
            for c in version.criteria
            if request.form.get(f"finding-{c.id}", "").strip()
        }
        try:
            stored = _store_criteria_files(inspection, "photo", written)
            begin_writing()
            inspection = _inspection_or_404(inspection_id)
            if not can_inspect(current_user, inspection.assessment.center):
                abort(403)
            version = inspection.assessment.period.standard_version
            visit = record_visit(
                inspection,
                visited_on=form.visited_on.data,
                team=form.team.data,
                summary=form.summary.data or "",
                findings=findings,
                actor=current_user,
            )
            for criterion, files_of in _with_criteria(inspection, stored):
                for clean, name, original in files_of:
                    attach_visit_photo(
                        visit,
                        criterion,
                        clean,
                        storage_name=name,
                        original_name=original,
                        actor=current_user,
                    )
        except PortalError as exc:
            db.session.rollback()
            _remove(written)
            form.form_errors.append(exc.message)
        else:
            return _done(inspection, _("The visit has been recorded."), "visits")
    return render_template(
        "inspections/visit.html",
        form=form,
        inspection=inspection,
        a=inspection.assessment,
        version=version,
    )


@bp.route("/visits/<int:visit_id>/report.pdf")
@roles_required(*VIEWERS)
def visit_report(visit_id: int):
    visit = db.get_or_404(Visit, visit_id)
    if not can_view_inspection(current_user, visit.inspection):
        abort(404)
    # The record is an administrative document of the documents feature (also as Word, and
    # issued with a number there); this address stays for the links people kept.
    from ..documents import services as documents

    with force_locale("vi"):
        doc = documents.visit_record(visit, evidence_dir=evidence_dir())
        pdf = documents.render(doc, "pdf")
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{doc.filename}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


# Corrective actions ---------------------------------------------------------------------------


@bp.route("/<int:inspection_id>/actions", methods=["POST"])
@roles_required(*INSPECTORS)
def action_new(inspection_id: int):
    inspection = _inspection_or_404(inspection_id)
    form = ActionForm()
    form.criterion_id.choices = choices(
        [(c.id, c.code) for c in inspection.assessment.period.standard_version.criteria]
    )
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return _back(inspection, "actions")
    criterion = _criterion_or_404(inspection, form.criterion_id.data)
    create = partial(
        create_action,
        inspection,
        criterion,
        description=form.description.data,
        owner=form.owner.data,
        due_on=form.due_on.data,
    )
    return _take_step(inspection, create, _("The corrective action has been added."), "actions")


def _action_or_404(action_id: int) -> CorrectiveAction:
    action = db.get_or_404(CorrectiveAction, action_id)
    if not can_view_inspection(current_user, action.inspection):
        abort(404)
    return action


@bp.route("/actions/<int:action_id>/close", methods=["POST"])
@reads_before_writing
@roles_required(Role.MANAGER)
@large_upload(bytes_key="EVIDENCE_MAX_REQUEST_BYTES", parts_key="EVIDENCE_MAX_FORM_PARTS")
def action_close(action_id: int):
    action = _action_or_404(action_id)
    inspection = action.inspection
    written: list[str] = []
    try:
        check_center_manager(current_user, inspection.assessment.center)
        stored = _store_files(inspection, action.criterion, "file", written)
        begin_writing()
        action = _action_or_404(action_id)
        inspection = action.inspection
        check_center_manager(current_user, inspection.assessment.center)
        evidence = None
        for clean, name, original in stored:
            evidence = add_action_evidence(
                action, clean, storage_name=name, original_name=original, actor=current_user
            )
        close_action(
            action, note=request.form.get("note", ""), evidence=evidence, actor=current_user
        )
    except PortalError as exc:
        _remove(written)
        return _refuse(exc, inspection, "actions")
    return _done(
        inspection, _("The action is marked as done; the inspector will confirm it."), "actions"
    )


@bp.route("/actions/<int:action_id>/confirm", methods=["POST"])
@roles_required(*INSPECTORS)
def action_confirm(action_id: int):
    action = _action_or_404(action_id)
    confirm = partial(confirm_action, action, accept=request.form.get("accept") == "1")
    updated = _("The corrective action has been updated.")
    return _take_step(action.inspection, confirm, updated, "actions")
