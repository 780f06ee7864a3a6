"""The exports page, starting an export, its progress page and the file."""

from __future__ import annotations

import io
import os
import tempfile

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.decorators import roles_required
from ..accounts.models import Role
from ..accounts.permissions import visible_centers_clause
from ..centers.models import Center
from ..centers.services import center_label, find_centers
from ..database import write_transactions
from ..extensions import db
from ..inspections.models import Inspection
from ..inspections.services import can_view_inspection
from ..shared.text import fold
from . import jobs, services, writers
from .forms import ExportStartForm
from .models import ExportJob, JobStatus

bp = Blueprint("exports", __name__, url_prefix="/exports", template_folder="templates")

EXPORTERS = services.EXPORTERS
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
}


@bp.route("/")
@roles_required(*EXPORTERS)
def index():
    periods = services.export_periods()
    code = request.args.get("period")
    period = next((p for p in periods if p.code == code), periods[0] if periods else None)
    own = current_user.center if current_user.role == Role.MANAGER else None
    recent = db.session.scalars(
        sa.select(ExportJob)
        .where(ExportJob.requested_by_id == current_user.id)
        .order_by(ExportJob.created_at.desc(), ExportJob.id.desc())
        .limit(10)
    ).all()
    return render_template(
        "exports/index.html",
        periods=periods,
        period=period,
        own=own,
        has_ranking=bool(period and services.rankings_visible(current_user, period)),
        labels=services.KIND_LABELS,
        table_kinds=services.TABLE_KINDS,
        form=ExportStartForm(),
        recent=recent,
        center_options=[] if own else _picker_options(),
    )


def _picker_options() -> list[str]:
    """Picker labels ("07900 — name") of the centers the user may export, by name."""
    centers = db.session.scalars(
        sa.select(Center)
        .where(visible_centers_clause(current_user))
        .order_by(Center.level.desc(), Center.name)
    )
    return [center_label(c) for c in centers]


def _center_code(text: str | None) -> str | None:
    """The code of the one visible center ``text`` names (label, name or code).

    ``None`` for an empty field (the whole scope); ``ValueError`` with a message to show
    when no center, or several, match.
    """
    text = " ".join((text or "").split())
    if not text:
        return None
    scope = db.session.execute(
        sa.select(Center.id, Center.code, Center.name).where(visible_centers_clause(current_user))
    ).all()
    # a whole name or picker label of a visible center, with or without diacritics
    wanted = fold(text)
    exact = [r.code for r in scope if wanted in (fold(r.name), fold(f"{r.code} — {r.name}"))]
    if len(exact) == 1:
        return exact[0]
    visible = {r.id for r in scope}
    found = find_centers(text, limit=5)
    matches = [c for c in found if c.id in visible]
    if len(found) == 1:
        return found[0].code  # a center outside the scope is refused (403) by the export
    if len(matches) != 1:
        if not matches:
            raise ValueError(_("No center matches “%(text)s”.", text=text))
        names = "; ".join(center_label(c) for c in matches[:5])
        raise ValueError(
            _(
                "Several centers match “%(text)s”: %(names)s. Type more of the name, or the code.",
                text=text,
                names=names,
            )
        )
    return matches[0].code


def _direct(kind: str, fmt: str, period, centers) -> Response:
    """One center's file, made in the request (small)."""
    if kind in services.REPORT_KINDS:
        from .reports import center_reports

        data = center_reports(period, centers)
        name = f"bao-cao-{period.code}-{centers[0].code}.pdf"
        return _attachment(io.BytesIO(data), name, "pdf")
    table = services.build_table(kind, period, centers)
    name = f"{table.download_name}.{fmt}"
    if fmt == "csv":
        out = io.StringIO()
        writers.write_csv(table, out)
        return _attachment(io.BytesIO(out.getvalue().encode("utf-8")), name, "csv")
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        writers.write_xlsx(table, path)
        with open(path, "rb") as f:
            data = f.read()
    finally:
        os.unlink(path)
    return _attachment(io.BytesIO(data), name, "xlsx")


def _attachment(stream, name: str, fmt: str) -> Response:
    response = send_file(stream, mimetype=MIMETYPES[fmt], as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/start", methods=["POST"])
@roles_required(*EXPORTERS)
def start():
    """One center is served at once; a whole scope becomes a job with a progress page."""
    form = ExportStartForm()
    if not form.validate_on_submit():
        db.session.rollback()
        flash(_("Choose an export from the list."), "error")
        return redirect(url_for(".index"))
    kind, fmt = form.kind.data, form.fmt.data
    if (kind in services.REPORT_KINDS) != (fmt == "pdf"):
        flash(_("Choose a format from the list."), "error")
        return redirect(url_for(".index"))
    try:
        center_code = _center_code(form.center.data)
    except ValueError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".index", period=form.period.data))
    period, centers = _resolve_or_abort(form.period.data, center_code)
    if kind == "rankings" and not services.rankings_visible(current_user, period):
        flash(_("The scores of this period are not computed yet."), "error")
        return redirect(url_for(".index", period=period.code))
    single_report = kind in services.REPORT_KINDS and len(centers) == 1
    if single_report and services.center_snapshot(period, centers[0]) is None:
        flash(_("The scores of this period are not computed yet."), "error")
        return redirect(url_for(".index", period=period.code))
    services.record_export(current_user, kind=kind, fmt=fmt, period=period, centers=centers)
    if len(centers) <= services.DIRECT_MAX_CENTERS and kind != "ratings":
        response = _direct(kind, fmt, period, centers)
        db.session.commit()
        return response
    job = jobs.create_job(current_user, kind=kind, fmt=fmt, period=period.code, center=center_code)
    db.session.commit()
    jobs.submit(job.id)
    return redirect(url_for(".job", job_id=job.id))


def _resolve_or_abort(period_code: str, center_code: str | None):
    """The period and centers of an export, as the user may have them now: 403 outside the
    user's rights, 404 for an unknown period or center."""
    try:
        return jobs.resolve(current_user, period_code, center_code)
    except services.ExportForbidden:
        db.session.rollback()
        abort(403)
    except services.ExportError:
        db.session.rollback()
        abort(404)


def _own_job_or_403(job_id: int) -> ExportJob:
    job = db.get_or_404(ExportJob, job_id)
    if job.requested_by_id != current_user.id and current_user.role != Role.ADMIN:
        abort(403)
    return job


@bp.route("/jobs/<int:job_id>")
@roles_required(*EXPORTERS)
def job(job_id: int):
    job = _own_job_or_403(job_id)
    if not job.is_finished and jobs.any_orphans():
        # The one write of this page, in a write transaction of its own: SQLite cannot
        # turn the page's read into a write once a worker has committed progress since.
        db.session.rollback()
        with write_transactions():
            jobs.reap_orphans()
            db.session.commit()
        job = _own_job_or_403(job_id)
    return render_template(
        "exports/job.html", job=job, labels=services.KIND_LABELS, JobStatus=JobStatus
    )


@bp.route("/jobs/<int:job_id>/retry", methods=["POST"])
@roles_required(*EXPORTERS)
def retry(job_id: int):
    """Start a failed job again (its worker was lost, or the file could not be made): a new
    job with the same choice, authorized again now as the start is."""
    job = _own_job_or_403(job_id)
    if job.requested_by_id != current_user.id:
        abort(403)
    if not job.can_retry:
        abort(409)
    period_code, center_code = job.params.get("period", ""), job.params.get("center")
    period, centers = _resolve_or_abort(period_code, center_code)
    services.record_export(current_user, kind=job.kind, fmt=job.fmt, period=period, centers=centers)
    new = jobs.retry(job, current_user)
    db.session.commit()
    jobs.submit(new.id)
    return redirect(url_for(".job", job_id=new.id))


@bp.route("/inspections/<int:inspection_id>/report.pdf")
@roles_required(*EXPORTERS)
def inspection_report(inspection_id: int):
    """One inspection's report, for whoever may see the inspection (404 otherwise)."""
    inspection = db.get_or_404(Inspection, inspection_id)
    if not can_view_inspection(current_user, inspection):
        abort(404)
    from .reports import inspection_report as build

    data = build(inspection)
    center, period = inspection.assessment.center, inspection.assessment.period
    services.record_export(
        current_user, kind="inspection_report", fmt="pdf", period=period, centers=[center]
    )
    db.session.commit()
    name = f"bao-cao-tham-dinh-{period.code}-{center.code}.pdf"
    return _attachment(io.BytesIO(data), name, "pdf")


@bp.route("/jobs/<int:job_id>/file")
@roles_required(*EXPORTERS)
def download(job_id: int):
    job = _own_job_or_403(job_id)
    path = jobs.file_path(job)
    if path is None:
        abort(404)
    response = send_file(
        path, mimetype=MIMETYPES[job.fmt], as_attachment=True, download_name=job.download_name
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
