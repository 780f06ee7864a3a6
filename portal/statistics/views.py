"""Statistics pages: the admin import, the province overview and a center's trends."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.decorators import center_or_abort, roles_required
from ..accounts.models import Role
from ..accounts.permissions import visible_centers_clause
from ..extensions import db
from ..rankings import coverage
from ..shared import charts
from ..shared.timeutils import today_local
from . import importers, services
from .forms import OverviewFilterForm, StatisticsImportForm
from .models import INDEX_GROUPS, INDEX_LABELS

bp = Blueprint("statistics", __name__, url_prefix="/statistics", template_folder="templates")
MAX_UPLOAD = 4 * 1024 * 1024
TEMPLATES = {
    "dossiers": (
        importers.DOSSIER_COLUMNS,
        ["07900", "1", "11/2026", "1.234", "1.100", "34", "56", "800", ""],
    ),
    "index": (
        importers.INDEX_COLUMNS,
        ["07900", "11/2026", "16,5", "18", "10,2", "8", "19,5", "16", "88,2"],
    ),
}


@bp.route("/import", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def import_page():
    form = StatisticsImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        raw = upload.read(MAX_UPLOAD + 1) if upload else b""
        if not raw:
            problems.append(_("Choose a file."))
        elif len(raw) > MAX_UPLOAD:
            problems.append(_("The file is larger than 4 MB."))
        else:
            read, write = {
                "dossiers": (importers.read_dossier_csv, services.import_dossiers),
                "index": (importers.read_index_csv, services.import_index),
            }[form.kind.data]
            name = (upload.filename or "upload.csv").rsplit("/", 1)[-1][:200]
            try:
                rows = read(raw, today=today_local())
                result = write(rows, actor=current_user, source=name)
                db.session.commit()
            except importers.ImportProblems as exc:
                db.session.rollback()
                problems = exc.problems
            else:
                flash(
                    _(
                        "%(rows)d lines imported for %(centers)d centers and %(months)d months "
                        "(%(replaced)d earlier lines replaced).",
                        rows=result.rows,
                        centers=result.centers,
                        months=result.months,
                        replaced=result.replaced,
                    ),
                    "success",
                )
                return redirect(url_for(".import_page"))
    return (
        render_template(
            "statistics/import.html",
            form=form,
            problems=problems,
            columns={k: v[0] for k, v in TEMPLATES.items()},
        ),
        422 if problems else 200,
    )


@bp.route("/import/template-<kind>.csv")
@roles_required(Role.ADMIN)
def template(kind: str):
    if kind not in TEMPLATES:
        abort(404)
    columns, example = TEMPLATES[kind]
    return Response(
        importers.template_csv(columns, example),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=mau-{kind}.csv"},
    )


@bp.route("/")
@roles_required(Role.ADMIN, Role.INSPECTOR)
def overview():
    form = OverviewFilterForm(request.args)
    form.validate()
    scope = visible_centers_clause(current_user)
    month = coverage.latest_month(scope)
    sort = request.args.get("sort", "name")
    sort = sort if sort in coverage.SORTS else "name"
    descending = request.args.get("desc") == "1"
    rows = (
        coverage.overview(scope, month, q=form.q.data or "", sort=sort, descending=descending)
        if month
        else []
    )
    per_page = current_app.config["PER_PAGE"]
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    return render_template(
        "statistics/overview.html",
        form=form,
        month=month,
        rows=rows[(page - 1) * per_page : page * per_page],
        total=len(rows),
        page=page,
        pages=pages,
        sort=sort,
        descending=descending,
    )


@bp.route("/centers/<code>")
@roles_required(Role.ADMIN, Role.INSPECTOR, Role.MANAGER)
def center(code: str):
    center = center_or_abort(code)
    months = coverage.center_months(center)
    chronological = list(reversed(months))
    on_time_chart = charts.line_chart(
        [
            (m.month.strftime("%m/%Y"), _pct(m.figures.on_time_share), m.figures.settled)
            for m in chronological
        ],
        title=_("Dossiers settled on time (%)"),
        no_data=_("No dossier statistics yet."),
        chart_id="on-time",
        n_label=_("settled"),
    )
    coverage_chart = charts.line_chart(
        [
            (m.month.strftime("%m/%Y"), _pct(m.figures.coverage), m.figures.ratings)
            for m in chronological
        ],
        title=_("Rating coverage (ratings per 100 dossiers settled)"),
        no_data=_("No dossier statistics yet."),
        chart_id="coverage",
        n_label=_("ratings"),
    )
    return render_template(
        "statistics/center.html",
        center=center,
        months=months,
        scores=coverage.period_scores(center),
        groups=[k for k, _m in INDEX_GROUPS],
        labels=INDEX_LABELS,
        on_time_chart=on_time_chart,
        coverage_chart=coverage_chart,
    )


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)
