"""The public board (no login), open data, and the staff pages of scores and rankings."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa
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
from ..assessments.models import AssessmentPeriod
from ..centers.models import Center, CenterLevel
from ..extensions import db
from ..scoring import rules
from ..shared.text import fold, neutralise_formula
from ..shared.timeutils import today_local
from . import officer_classes
from .board import class_history, ranking_query, ranking_records, ranking_rows, snapshot_for
from .errors import RankingsError
from .forms import ConfirmForm, ScoringSettingsForm
from .models import CLASS_LABELS, ResultRevision
from .officer_sheet import officer_workbook
from .publication import period_status, published_period, published_periods
from .publication import publish as publish_period
from .revisions import latest_revision, revision_number, revisions_of
from .satisfaction import monthly_trend
from .scoring_settings import default_settings, settings_for, update_settings
from .snapshots import recompute_snapshots, worked_example
from .years import (
    compare_years,
    quarter_comparison,
    year_ago_qualities,
    year_rows,
    years_with_results,
)

bp = Blueprint("rankings", __name__, url_prefix="/rankings", template_folder="templates")

LICENCE = "Creative Commons Attribution 4.0 (CC BY 4.0)"


def _published_or_404(code: str | None) -> AssessmentPeriod:
    period = published_period(code)
    if period is None:
        abort(404)
    return period


def _revision_or_404(period: AssessmentPeriod) -> ResultRevision:
    """The revision asked for by ``?revision=N`` (the latest by default)."""
    number = request.args.get("revision") or None
    if number is None:
        revision = latest_revision(period)
    else:
        if not number.isdigit() or len(number) > 6:
            abort(404)
        revision = revision_number(period, int(number))
    if revision is None:
        abort(404)
    return revision


# Public ---------------------------------------------------------------------------------


@bp.route("/")
def board():
    """The ranking of centers of the latest (or a chosen) published period."""
    periods = published_periods()
    code = request.args.get("period") or None
    period = published_period(code) if periods else None
    if code and period is None:
        abort(404)
    if period is None:
        return render_template("rankings/board.html", period=None, periods=[])
    level = request.args.get("level") or None
    klass = request.args.get("class") or None
    if level not in (None, *[lv.value for lv in CenterLevel]):
        level = None
    if klass not in (None, *[c.value for c in rules.Classification]):
        klass = None
    q = (request.args.get("q") or "").strip()[:100]
    revision = _revision_or_404(period)
    page = db.paginate(
        ranking_query(
            period,
            revision=revision,
            level=level,
            classification=klass,
            search_key=fold(q) if q else None,
        ),
        per_page=current_app.config["PER_PAGE"],
        error_out=False,
    )
    year_ago, year_ago_q = year_ago_qualities(period, published_only=True)
    return render_template(
        "rankings/board.html",
        period=period,
        periods=periods,
        page=page,
        status=period_status(period, revision),
        revisions=revisions_of(period),
        revision=revision,
        settings=settings_for(period),
        level=level,
        klass=klass,
        q=q,
        levels=list(CenterLevel),
        class_labels=CLASS_LABELS,
        year=period.closes_on.year,
        year_ago=year_ago,
        year_ago_q=year_ago_q,
    )


@bp.route("/centers/<code>")
def center(code: str):
    """A center's public page: its figures in a published period, trend and class history."""
    center = db.session.scalar(sa.select(Center).where(Center.code == code))
    if center is None:
        abort(404)
    period = _published_or_404(request.args.get("period") or None)
    revision = _revision_or_404(period)
    snapshot = snapshot_for(period, center, revision)
    if snapshot is None:
        abort(404)
    areas = {a.code: a for a in period.standard_version.areas}
    year = period.closes_on.year
    years = compare_years(year, published_only=True)
    return render_template(
        "rankings/center.html",
        year=year,
        years=years,
        year_cmp=years.center(center.id),
        quarter_cmp=quarter_comparison(period, center, published_only=True),
        center=center,
        period=period,
        snapshot=snapshot,
        areas=areas,
        settings=settings_for(period),
        status=period_status(period, revision),
        revision=revision,
        trend=monthly_trend(center),
        history=class_history(center),
    )


@bp.route("/years/<int:year>")
def year(year: int):
    """A year's ranking from its published quarters, compared with the year before."""
    if year not in years_with_results(published_only=True):
        abort(404)
    years = compare_years(year, published_only=True)
    return render_template(
        "rankings/year.html",
        year=year,
        years=years,
        rows=year_rows(years),
        others=years_with_results(published_only=True),
    )


@bp.route("/methodology")
def methodology():
    """How scores are computed, with the settings of a published period (the latest, or
    ``?period=``) and a worked example computed with them by the snapshots' own code."""
    code = request.args.get("period") or None
    period = published_period(code)
    if code and period is None:
        abort(404)
    settings = settings_for(period) if period is not None else default_settings()
    return render_template(
        "rankings/methodology.html",
        example=worked_example(settings),
        settings=settings,
        period=period,
        periods=published_periods(),
        class_labels=CLASS_LABELS,
        z=rules.Z_95,
        latest=published_period(None),
    )


CSV_COLUMNS = (
    "rank",
    "code",
    "name",
    "level",
    "class",
    "standardized",
    "quality",
    "compliance_self",
    "compliance_verified",
    "satisfaction_index",
    "satisfaction_adjusted",
    "csat",
    "csat_wilson_lower",
    "n_ratings",
    "satisfaction_rank",
    "state",
    "under_appeal",
)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    return neutralise_formula(str(value))


@bp.route("/<period_code>/ranking.csv")
def export_csv(period_code: str):
    """Open data: the published ranking as CSV (UTF-8 with BOM, header row, licence line)."""
    period = _published_or_404(period_code)
    revision = _revision_or_404(period)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in ranking_records(period, revision):
        writer.writerow([_cell(record[c]) for c in CSV_COLUMNS])
    writer.writerow(
        [
            f"# {period.code} ({revision.status}, revision {revision.number} of "
            f"{revision.created_at:%Y-%m-%d}, data to {revision.cut_off.isoformat()}); "
            f"licence: {LICENCE}"
        ]
    )
    name = f"ranking-{period.code}-r{revision.number}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# Staff ----------------------------------------------------------------------------------


def _officer_view_args():
    """The centers in the actor's scope, the chosen center, and the chosen period or year."""
    centers = db.session.scalars(
        sa.select(Center).where(visible_centers_clause(current_user)).order_by(Center.code)
    ).all()
    if not centers:
        abort(403)
    center = center_or_abort(request.args.get("center") or centers[0].code)
    periods = db.session.scalars(
        sa.select(AssessmentPeriod)
        .where(AssessmentPeriod.opens_on <= today_local())
        .order_by(AssessmentPeriod.opens_on.desc())
    ).all()
    year_arg = request.args.get("year", "")
    scope = period = year = None
    if year_arg.isdigit():
        year = int(year_arg)
        scope = officer_classes.year_scope(year)
        if scope is None:
            abort(404)
    else:
        code = request.args.get("period")
        period = next((p for p in periods if p.code == code), periods[0] if periods else None)
        if period is not None:
            scope = officer_classes.period_scope(period)
    return centers, center, periods, period, year, scope


@bp.route("/officers")
@roles_required(*officer_classes.OFFICER_SHEET_VIEWERS)
def officers():
    """Civil servants' figures and classes in a center, per period or year (never public)."""
    centers, center, periods, period, year, scope = _officer_view_args()
    rows = []
    if scope is not None:
        rows = officer_classes.officer_classes([center], scope)
    return render_template(
        "rankings/officers.html",
        center=center,
        centers=centers if len(centers) <= 200 else [center],
        periods=periods,
        period=period,
        year=year,
        years=years_with_results(),
        scope=scope,
        rows=rows,
        min_n=scope.min_n if scope else current_app.config["RATING_MIN_N"],
        bands=officer_classes.bands(),
        class_labels=officer_classes.OFFICER_CLASS_LABELS,
    )


@bp.route("/officers.xlsx")
@roles_required(*officer_classes.OFFICER_SHEET_VIEWERS)
def officers_xlsx():
    """The appraisal sheet of one center, or (``all=1``) of every center in scope."""
    centers, center, _periods, _period, _year, scope = _officer_view_args()
    if scope is None:
        abort(404)
    every = request.args.get("all") == "1"
    chosen = list(centers) if every else [center]
    band_values = officer_classes.bands()
    rows = officer_classes.officer_classes(chosen, scope, band_values=band_values)
    title = _(
        "Citizen satisfaction with civil servants (“thái độ phục vụ”): %(who)s",
        who=_("every center in your scope") if every else center.name,
    )
    data = officer_workbook(rows, title=title, scope=scope, band_values=band_values)
    db.session.commit()
    name = f"cong-chuc-{'tat-ca' if every else center.code}-{scope.code}.xlsx"
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/periods")
@roles_required(Role.ADMIN)
def periods():
    rows = []
    for period in db.session.scalars(
        sa.select(AssessmentPeriod).order_by(AssessmentPeriod.opens_on.desc())
    ):
        rows.append((period, settings_for(period)))
    return render_template("rankings/periods.html", rows=rows)


def _period_or_404(code: str) -> AssessmentPeriod:
    return db.one_or_404(sa.select(AssessmentPeriod).where(AssessmentPeriod.code == code))


def _confirmed_period(code: str) -> AssessmentPeriod:
    """The period of a POST from the settings page's confirm form (404, else 400 without a
    valid form)."""
    period = _period_or_404(code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return period


@bp.route("/periods/<code>/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def settings(code: str):
    period = _period_or_404(code)
    settings = settings_for(period)
    form = ScoringSettingsForm(obj=settings)
    if form.validate_on_submit():
        try:
            changes = update_settings(settings, form.data, actor=current_user)
        except RankingsError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Settings saved.") if changes else _("Nothing changed."), "success")
            return redirect(url_for(".settings", code=period.code))
    elif request.method == "POST":
        db.session.rollback()
    db.session.commit()
    preview = ranking_rows(period)[:10]
    return render_template(
        "rankings/settings.html",
        period=period,
        settings=settings,
        form=form,
        confirm=ConfirmForm(),
        preview=preview,
        status=period_status(period) if settings.is_published else None,
        revisions=revisions_of(period),
        today=today_local(),
    )


@bp.route("/periods/<code>/recompute", methods=["POST"])
@roles_required(Role.ADMIN)
def recompute(code: str):
    period = _confirmed_period(code)
    changes = recompute_snapshots(period, actor=current_user)
    db.session.commit()
    flash(_("%(num)d centers changed.", num=len(changes)), "success")
    return redirect(url_for(".settings", code=period.code))


@bp.route("/periods/<code>/publish", methods=["POST"])
@roles_required(Role.ADMIN)
def publish(code: str):
    period = _confirmed_period(code)
    if request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm the publication."), "error")
        return redirect(url_for(".settings", code=period.code))
    final = request.form.get("status") == "final"
    try:
        publish_period(period, actor=current_user, final=final)
    except RankingsError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".settings", code=period.code))
    db.session.commit()
    if final:
        flash(_("The results of %(period)s are published as final.", period=period.code), "success")
    else:
        flash(
            _("The results of %(period)s are published as provisional.", period=period.code),
            "success",
        )
    return redirect(url_for(".board", period=period.code))
