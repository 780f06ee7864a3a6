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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..accounts.decorators import center_or_abort, roles_required
from ..accounts.models import Role
from ..accounts.permissions import visible_centers_clause
from ..extensions import db
from ..i18n import format_number
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
                if form.kind.data == "dossiers" and not all(r.online_known for r in rows):
                    flash(
                        _(
                            "The file has no column «%(online)s» or «%(share)s»: the dossiers "
                            "received online are recorded as 0 for these months.",
                            online="Trực tuyến",
                            share="Tỷ lệ trực tuyến",
                        ),
                        "warning",
                    )
                return redirect(url_for(".import_page"))
    return (
        render_template(
            "statistics/import.html",
            form=form,
            problems=problems,
            columns={k: v[0] for k, v in TEMPLATES.items()},
            allowed_values=importers.allowed_values,
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
    locale = str(get_locale() or "vi")
    labels = [charts.month_label(m.month, locale) for m in chronological]
    on_time = [_pct(m.figures.on_time_share) for m in chronological]
    cover = [_pct(m.figures.coverage) for m in chronological]
    on_time_chart = _monthly_chart(
        "on-time",
        _("Dossiers settled on time (%)"),
        labels,
        on_time,
        [m.figures.settled for m in chronological],
        n_label=_("settled"),
        headers=[_("Month"), _("On time"), _("Settled")],
    )
    coverage_chart = _monthly_chart(
        "coverage",
        _("Rating coverage (ratings per 100 dossiers settled)"),
        labels,
        cover,
        [m.figures.ratings for m in chronological],
        n_label=_("ratings"),
        headers=[_("Month"), _("Rating coverage"), _("Ratings")],
        # more ratings than dossiers (a flagged month) must stay visible above 100 %
        y_max=charts.nice_max(max([100.0, *(v for v in cover if v is not None)])),
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


def _monthly_chart(
    figure_id: str,
    title: str,
    labels: list[str],
    values: list[float | None],
    counts: list[int],
    *,
    n_label: str,
    headers: list[str],
    y_max: float = 100.0,
) -> charts.Figure:
    """A month-by-month percentage as a line chart with its table: month, value, count."""
    monthly = list(zip(labels, values, counts, strict=True))
    return charts.Figure(
        figure_id,
        title,
        Markup(  # noqa: S704 - charts escape every label
            charts.line_chart(
                monthly,
                title=title,
                no_data=_("No dossier statistics yet."),
                chart_id=f"{figure_id}-svg",
                n_label=n_label,
                number=_chart_number,
                unit="%",
                y_max=y_max,
            )
        ),
        headers,
        [[lb, _shown(v), format_number(n)] for lb, v, n in monthly],
    )


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _chart_number(value: float) -> str:
    return format_number(value, 1, trim=True)


def _shown(value: float | None) -> str:
    return "–" if value is None else f"{_chart_number(value)} %"
