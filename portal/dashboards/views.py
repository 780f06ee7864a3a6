"""Province and center dashboards, and the drill-downs to an area, a criterion and a counter."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.decorators import center_or_abort, roles_required
from ..accounts.models import Role
from ..accounts.permissions import visible_centers_clause
from ..assessments.models import AssessmentPeriod
from ..centers.models import Center, Counter
from ..database import write_transactions
from ..extensions import db
from ..inspections.state import center_states
from ..rankings import coverage, live, officer_classes, years
from ..rankings import dashboards as reads
from ..rankings import services as rankings
from ..rankings.models import CLASS_LABELS
from ..ratings.models import RollupScope
from ..shared.text import fold
from ..shared.timeutils import today_local
from ..standards.models import Area, Criterion
from . import services as charts
from .forms import SORT_LABELS, ProvinceFilterForm

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards", template_folder="templates")

PROVINCE_VIEWERS = (Role.ADMIN, Role.INSPECTOR)
CENTER_VIEWERS = (Role.ADMIN, Role.INSPECTOR, Role.MANAGER)


def _period_or_404(code: str | None) -> AssessmentPeriod | None:
    period = reads.pick_period(code or None, current_user)
    if code and period is None:
        abort(404)
    return period


def _area_names(period: AssessmentPeriod) -> dict[str, str]:
    return {a.code: a.name for a in period.standard_version.areas}


def _refresh_live(period: AssessmentPeriod) -> live.Freshness:
    """Bring an open period's stored figures up to the rollups in a short write transaction
    of its own. A GET reads in a deferred transaction, which SQLite cannot turn into a write
    once another connection (a citizen's rating) has written since it began: the read so far
    is ended and the refresh begins ``BEGIN IMMEDIATE``."""
    db.session.rollback()
    with write_transactions():
        freshness = live.refresh(period)
        db.session.commit()
    return freshness


@bp.route("/")
@roles_required(*PROVINCE_VIEWERS)
def province():
    """Every center in the actor's scope for a period: figures, trend, filters, charts."""
    periods = reads.dashboard_periods()
    form = ProvinceFilterForm(request.args)
    form.period.choices = [(p.code, p.label) for p in periods] or [("", "–")]
    period = _period_or_404(request.args.get("period"))
    if period is None:
        return render_template("dashboards/province.html", period=None, form=form)
    freshness = _refresh_live(period)
    form.period.data = period.code  # the menu shows the period the page shows
    areas = _area_names(period)
    form.area.choices = [("", _("No area column")), *areas.items()]
    if request.args and not form.validate():
        # A value outside the lists (a hand-edited link): show the defaults instead.
        form = ProvinceFilterForm(formdata=None, period=period.code)
        form.period.choices = [(p.code, p.label) for p in periods]
        form.area.choices = [("", _("No area column")), *areas.items()]
    q = (form.q.data or "").strip()
    standardized = {"yes": True, "no": False}.get(form.standardized.data or "")
    sort = form.sort.data if form.sort.data in SORT_LABELS else "rank"
    filters = reads.ProvinceFilter(
        level=form.level.data or None,
        classification=form.klass.data or None,
        standardized=standardized,
        state=form.state.data or None,
        search_key=fold(q) if q else None,
        sort=sort,
        descending=form.order.data == "desc",
    )
    page = reads.province_page(
        current_user,
        period,
        filters,
        page=form.page.data or 1,
        per_page=current_app.config["PER_PAGE"],
    )
    today = today_local()
    head = reads.headline(current_user, period, today)
    scope = sa.select(Center.id).where(visible_centers_clause(current_user))
    area_code = form.area.data or None
    avg = reads.area_averages(current_user, period)
    figures = {
        "satisfaction": charts.satisfaction_chart(
            "chart-satisfaction",
            _("Satisfaction by month (share of ratings 4–5)"),
            reads.monthly_satisfaction(RollupScope.CENTER, scope, today=today),
        ),
        "classes": charts.class_chart("chart-classes", _("Centers by class"), head.by_class),
        "honesty": charts.honesty_chart(
            "chart-honesty",
            _("Self-assessed against verified compliance (on the diagonal: honest)"),
            reads.honesty_points(current_user, period),
        ),
        "areas": charts.area_chart(
            "chart-areas",
            _("Area scores, average of the verified centers"),
            [(areas.get(code, code), s, v) for code, (s, v, _n) in avg.items()],
        ),
    }
    return render_template(
        "dashboards/province.html",
        period=period,
        previous=reads.previous_period(period),
        form=form,
        page=page,
        head=head,
        figures=figures,
        sort=sort,
        descending=filters.descending,
        sort_labels=SORT_LABELS,
        area_code=area_code,
        area_name=areas.get(area_code or ""),
        settings=rankings.settings_for(period),
        class_labels=CLASS_LABELS,
        freshness=freshness,
        year=period.closes_on.year,
        year_ago=years.same_quarter_last_year(period),
    )


@bp.route("/years/<int:year>")
@roles_required(*PROVINCE_VIEWERS)
def year(year: int):
    """The centers in scope in a year, computed live, against the year before."""
    available = years.years_with_results()
    if year not in available:
        abort(404)
    scope = set(
        db.session.scalars(sa.select(Center.id).where(visible_centers_clause(current_user)))
    )
    comparison = years.compare_years(year)
    return render_template(
        "dashboards/year.html",
        year=year,
        years=comparison,
        rows=years.year_rows(comparison, scope),
        others=available,
    )


def _center_and_period(code: str):
    center = center_or_abort(code)
    period = _period_or_404(request.args.get("period"))
    return center, period


def _in_standard(
    code: str, model: type[Area] | type[Criterion], item_code: str
) -> tuple[Center, AssessmentPeriod, Area | Criterion]:
    """The center, the chosen period and the area or criterion ``item_code`` of the
    period's standard version; 404 without a period or without that item."""
    center, period = _center_and_period(code)
    if period is None:
        abort(404)
    item = db.session.scalar(
        sa.select(model).where(
            model.version_id == period.standard_version.id, model.code == item_code
        )
    )
    if item is None:
        abort(404)
    return center, period, item


@bp.route("/centers/<code>")
@roles_required(*CENTER_VIEWERS)
def center(code: str):
    """One center: scores, class, gap per area, weakest criteria, trend, open work."""
    center, period = _center_and_period(code)
    today = today_local()
    trend_chart = charts.satisfaction_chart(
        "chart-center-satisfaction",
        _("Satisfaction by month (share of ratings 4–5)"),
        reads.monthly_satisfaction(RollupScope.CENTER, [center.id], today=today),
    )
    context = {
        "center": center,
        "period": period,
        "periods": reads.dashboard_periods(),
        "trend_chart": trend_chart,
        "cases": reads.open_cases(center),
        "actions": reads.open_actions(center),
        "comments": reads.recent_comments(center),
        "results": coverage.center_months(center, months=3),
        "counters": [],
        "today": today,
        "states": center_states(center, current_user, today=today),
    }
    if period is not None:
        freshness = _refresh_live(period)
        snap = reads.snapshot(period, center)
        now = live.live_satisfaction(period, center)
        year_cmp = years.compare_years(period.closes_on.year)
        previous = reads.previous_period(period)
        areas = _area_names(period)
        pairs = (snap.areas if snap else {}) or {}
        start, end = rankings.period_window(period, rankings.settings_for(period))
        context.update(
            snapshot=snap,
            previous=previous,
            before=reads.snapshot(previous, center) if previous else None,
            level_rank=reads.rank_in_level(period, center),
            weakest=reads.weakest_criteria(period, center),
            assessment=reads.assessment_for(period, center),
            area_rows=[(code, areas.get(code, code), p[0], p[1]) for code, p in pairs.items()],
            area_chart=charts.area_chart(
                "chart-center-areas",
                _("Score per area: self-assessed and verified"),
                [(areas.get(code, code), p[0], p[1]) for code, p in pairs.items()],
            ),
            counters=reads.counter_figures(center, start, end),
            settings=rankings.settings_for(period),
            freshness=freshness,
            live_n=now.n,
            year=period.closes_on.year,
            year_cmp=year_cmp.center(center.id),
            year_note=year_cmp.now,
            quarter_cmp=years.quarter_comparison(period, center),
        )
    return render_template("dashboards/center.html", **context)


@bp.route("/centers/<code>/areas/<area_code>")
@roles_required(*CENTER_VIEWERS)
def area(code: str, area_code: str):
    center, period, area = _in_standard(code, Area, area_code)
    snap = reads.snapshot(period, center)
    pair = ((snap.areas if snap else {}) or {}).get(area.code, [None, None])
    return render_template(
        "dashboards/area.html",
        center=center,
        period=period,
        area=area,
        pair=pair,
        rows=reads.criterion_scores(period, center, area.code),
    )


@bp.route("/centers/<code>/criteria/<criterion_code>")
@roles_required(*CENTER_VIEWERS)
def criterion(code: str, criterion_code: str):
    center, period, crit = _in_standard(code, Criterion, criterion_code)
    detail = reads.criterion_detail(period, center, crit)
    evidence = []
    if detail.assessment is not None:
        evidence = [e for e in detail.assessment.evidence if e.criterion_id == crit.id]
    return render_template(
        "dashboards/criterion.html",
        center=center,
        period=period,
        d=detail,
        evidence=evidence,
    )


@bp.route("/centers/<code>/counters/<int:counter_id>")
@roles_required(*CENTER_VIEWERS)
def counter(code: str, counter_id: int):
    center, period = _center_and_period(code)
    counter = db.session.get(Counter, counter_id)
    if counter is None or counter.center_id != center.id:
        abort(404)
    today = today_local()
    months = reads.monthly_satisfaction(RollupScope.COUNTER, [counter.id], today=today)
    rows, hours, min_n = [], [0] * 24, current_app.config["RATING_MIN_N"]
    if period is not None:
        settings = rankings.settings_for(period)
        min_n = settings.min_n
        start, end = rankings.period_window(period, settings)
        rows = [
            r
            for r in rankings.officer_rows(
                center.province_code, start, end, min_n=min_n, center=center
            )
            if r.officer.counter_id == counter.id
        ]
        hours = reads.hour_counts(counter, start, end)
    return render_template(
        "dashboards/counter.html",
        center=center,
        period=period,
        counter=counter,
        rows=rows,
        min_n=min_n,
        officer_links=current_user.role in officer_classes.OFFICER_SHEET_VIEWERS,
        trend=charts.satisfaction_chart(
            "chart-counter-satisfaction",
            _("Satisfaction by month (share of ratings 4–5)"),
            months,
        ),
        hours=charts.hour_chart(
            "chart-counter-hours", _("Ratings by hour of day (local time)"), hours
        ),
    )
