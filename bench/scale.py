"""Reads over a scale database (bench/generate.py): every goal as a time and a ratio measured
in the same run.

    .venv/bin/python bench/scale.py sqlite:////work/scale.sqlite3 --json scale-sqlite.json
    .venv/bin/python bench/scale.py postgresql+psycopg://postgres@127.0.0.1:5432/scale

Cases (median of ``--repeat`` runs after one warm-up; pages through the app's test client,
i.e. the whole Flask stack without the network):

- province ranking: the query (``ranking_query(period, province_code=…)``, snapshots
  joined with centers), the public board page ``/rankings/?period=…`` and the API
  ``/api/v1/rankings?period=…`` (every center of the country), against the same figures
  computed from raw ratings (``raw_counts``: a GROUP BY over ``ratings`` for the period's
  days, then the same ``scoring.rules`` through ``compute_figures``); the two must agree
  on every center's n, counts, satisfaction index and rank, or the bench fails;
- center trend (the center dashboards' series: 12 months from the rollups,
  ``monthly_trend``) against the same series from raw ratings, and the staff center
  page ``/ratings/<code>``;
- the country: ``ranking_rows`` (all ~3,355 centers) and ``recompute_snapshots`` for one
  period (figures from rollups, compared and stored; rolled back);
- the dashboards of branch issue10-dash, when merged: ``DASHBOARD_PAGES`` lists the
  endpoints; each one the app has is measured, the others are reported as absent;
- QR posters for every active counter of one province (``flask qr posters --all``'s
  function for that province's counters).

``--explain`` prints the query plan (EXPLAIN QUERY PLAN / EXPLAIN) of each query.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import click
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.centers.models import Center  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.rankings import services as rankings  # noqa: E402
from portal.rankings.models import ScoreSnapshot  # noqa: E402
from portal.ratings.models import Rating  # noqa: E402
from portal.ratings.rollups import reportable_clause  # noqa: E402
from portal.scoring import rules  # noqa: E402

#: The dashboards (branch issue10-dash): endpoint, how to build its URL arguments.
#: The province dashboard is the inspector's (scope: the province), the center dashboard a
#: center's; both for the benchmarked period.
DASHBOARD_PAGES = (
    ("dashboards.province", lambda ctx: {"period": ctx["period"]}),
    ("dashboards.center", lambda ctx: {"code": ctx["center_code"], "period": ctx["period"]}),
)

GOALS_MS = {"query": 50.0, "page": 300.0, "country": 200.0, "posters": 30_000.0}


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median milliseconds of ``fn()`` over ``repeat`` runs after a warm-up; its last result."""
    out = fn()
    samples = []
    for _ in range(repeat):
        db.session.expire_all()
        t0 = time.perf_counter()
        out = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), out


# Raw-ratings baselines -------------------------------------------------------------------


def raw_counts(center_ids, start: date, end: date) -> dict[int, tuple[int, ...]]:
    """Counts per score per center over [start, end], from the raw ratings (the baseline)."""
    rows = db.session.execute(
        sa.select(
            Rating.center_id,
            *(sa.func.sum(sa.case((Rating.score == s, 1), else_=0)) for s in range(1, 6)),
        )
        .where(
            Rating.center_id.in_(list(center_ids)),
            Rating.day >= start,
            Rating.day <= end,
            reportable_clause(),
        )
        .group_by(Rating.center_id)
    ).all()
    return {r[0]: tuple(int(x or 0) for x in r[1:]) for r in rows}


def raw_monthly_trend(center, first: date, today: date) -> list[tuple[date, tuple]]:
    """From raw ratings: one center's months, or (``center`` a list of ids) a province's."""
    which = (
        Rating.center_id.in_(center) if isinstance(center, list) else Rating.center_id == center.id
    )
    month = sa.func.substr(sa.cast(Rating.day, sa.String), 1, 7)
    if db.engine.dialect.name == "postgresql":
        month = sa.func.to_char(Rating.day, "YYYY-MM")
    rows = db.session.execute(
        sa.select(
            month,
            *(sa.func.sum(sa.case((Rating.score == s, 1), else_=0)) for s in range(1, 6)),
        )
        .where(
            which,
            Rating.day >= first,
            Rating.day <= today,
            reportable_clause(),
        )
        .group_by(month)
        .order_by(month)
    ).all()
    return [
        (date.fromisoformat(f"{m}-01"), rules.satisfaction(tuple(int(x or 0) for x in counts)))
        for m, *counts in rows
    ]


# Plans -------------------------------------------------------------------------------------


def explain(label: str, stmt) -> None:
    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    click.echo(f"\n-- plan: {label}")
    for row in db.session.execute(sa.text(prefix + str(compiled))):
        click.echo("   " + " | ".join(str(x) for x in row))


# The run -----------------------------------------------------------------------------------


def run(url: str, *, province: int, repeat: int, posters: bool, show_plans: bool) -> dict:
    os.environ["PORTAL_ENV"] = "testing"  # CSRF off for the scripted logins; rate limits in memory
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "RATELIMIT_ENABLED": False,
            "PUBLIC_BASE_URL": "https://danhgia.example.vn",
        }
    )
    results: dict = {"database": db_name(url), "cases": {}, "checks": {}}
    cases = results["cases"]

    def case(name, ms, goal=None, baseline=None):
        entry = {"ms": round(ms, 2)}
        if goal is not None:
            entry["goal_ms"] = goal
            entry["met"] = ms <= goal
        if baseline is not None:
            entry["raw_ms"] = round(baseline, 2)
            entry["ratio"] = round(baseline / ms, 1) if ms else None
            entry["ratio_met"] = entry["ratio"] is not None and entry["ratio"] >= 100
        cases[name] = entry
        extra = ""
        if baseline is not None:
            extra = f"  raw {baseline:9.1f} ms  ratio {entry['ratio']:>8}×"
        goal_s = f"(goal ≤ {goal:g} ms)" if goal is not None else ""
        click.echo(f"{name:<44} {ms:9.2f} ms {goal_s:<18}{extra}")

    with app.app_context():
        n_ratings = db.session.scalar(sa.select(sa.func.count()).select_from(Rating))
        n_centers = db.session.scalar(sa.select(sa.func.count()).select_from(Center))
        results.update(ratings=n_ratings, centers=n_centers)
        click.echo(f"{results['database']}: {n_ratings:,} ratings, {n_centers:,} centers")
        period = rankings.published_period(None)
        settings = rankings.settings_for(period)
        start, end = rankings.period_window(period, settings)
        results["period"] = period.code
        province_ids = list(
            db.session.scalars(sa.select(Center.id).where(Center.province_code == province))
        )

        # Province ranking: snapshots vs raw ratings --------------------------------------
        query = rankings.ranking_query(period, province_code=province)
        ms_query, rows = timed(lambda: list(db.session.scalars(query)), repeat)

        def from_raw():
            return rankings.compute_figures(
                period,
                settings,
                counts_source=lambda _ids, s, e: raw_counts(province_ids, s, e),
            )

        ms_raw_full, figures = timed(from_raw, max(1, repeat // 2))
        # The baseline of every ratio: the raw GROUP BY alone for the province's centers (a
        # lower bound of any answer from raw ratings; the full compute above adds the
        # country's figures in Python, the same cost as from rollups).
        ms_raw, _counts = timed(lambda: raw_counts(province_ids, start, end), repeat)
        results["raw_province_counts_ms"] = round(ms_raw, 2)
        results["raw_full_compute_ms"] = round(ms_raw_full, 2)
        click.echo(
            f"raw baseline: province GROUP BY {ms_raw:.1f} ms; full compute {ms_raw_full:.1f} ms"
        )
        mismatches = [
            s.center.code
            for s in rows
            if (
                s.n_ratings,
                list(s.counts),
                s.satisfaction_index,
                s.rank,
            )
            != (
                figures[s.center_id]["n_ratings"],
                figures[s.center_id]["counts"],
                figures[s.center_id]["satisfaction_index"],
                figures[s.center_id]["rank"],
            )
        ]
        results["checks"]["province ranking: snapshots = raw ratings"] = not mismatches
        if mismatches:
            raise click.ClickException(f"snapshot figures differ from raw ratings: {mismatches}")
        case("province ranking query (snapshots)", ms_query, GOALS_MS["query"], ms_raw)
        ms_rollups, _ = timed(
            lambda: rankings.compute_figures(period, settings), max(1, repeat // 2)
        )
        case("recompute figures from rollups (country)", ms_rollups, None, ms_raw_full)

        client = app.test_client()
        ms_page, resp = timed(lambda: client.get(f"/rankings/?period={period.code}"), repeat)
        assert resp.status_code == 200, resp.status_code
        case("public board page /rankings/", ms_page, GOALS_MS["page"], ms_raw)
        ms_api, resp = timed(lambda: client.get(f"/api/v1/rankings?period={period.code}"), repeat)
        assert resp.status_code == 200, resp.status_code
        assert len(resp.get_json()["centers"]) == n_centers
        case("API /api/v1/rankings (all centers)", ms_api, GOALS_MS["page"], ms_raw)

        # The country ---------------------------------------------------------------------
        ms_country, all_rows = timed(lambda: rankings.ranking_records(period), repeat)
        case("country ranking read (ranking_records)", ms_country, GOALS_MS["country"])
        ms_orm, _rows = timed(lambda: rankings.ranking_rows(period), repeat)
        case("same as ORM objects (ranking_rows)", ms_orm, None)

        def recompute():
            changes = rankings.recompute_snapshots(period, actor=None)
            db.session.rollback()
            return changes

        ms_recompute, changes = timed(recompute, max(1, repeat // 2))
        results["checks"]["recompute changes nothing"] = not changes
        # A batch job (finalization, appeal, publication), not a read: no goal of its own.
        case("country recompute_snapshots (batch job)", ms_recompute, None)

        # A center: trend from rollups vs raw, staff page -----------------------------------
        busiest = db.session.scalar(
            sa.select(ScoreSnapshot.center_id)
            .join(Center, Center.id == ScoreSnapshot.center_id)
            .where(ScoreSnapshot.period_id == period.id, Center.province_code == province)
            .order_by(ScoreSnapshot.n_ratings.desc())
            .limit(1)
        )
        center = db.session.get(Center, busiest)
        today = rankings.today_local()
        first = today.replace(day=1)
        for _i in range(11):
            first = (first - timedelta(days=1)).replace(day=1)
        ms_trend, trend = timed(lambda: rankings.monthly_trend(center, today=today), repeat)
        ms_trend_raw, trend_raw = timed(
            lambda: raw_monthly_trend(center, first, today), max(1, repeat // 2)
        )
        same = [(m, s.counts) for m, s in trend] == [(m, s.counts) for m, s in trend_raw]
        results["checks"]["center trend: rollups = raw ratings"] = same
        if not same:
            raise click.ClickException("monthly trend differs between rollups and raw ratings")
        case(f"center trend, 12 months ({center.code})", ms_trend, GOALS_MS["query"], ms_trend_raw)

        # The province dashboard's trend: 12 months of the province's center rollups.
        from portal.rankings import dashboards as dashboard_reads

        ids = list(db.session.scalars(sa.select(Center.id).where(Center.province_code == province)))
        ms_ptrend, ptrend = timed(
            lambda: dashboard_reads.monthly_satisfaction("center", ids, today=today), repeat
        )
        ms_ptrend_raw, ptrend_raw = timed(
            lambda: raw_monthly_trend(ids, first, today), max(1, repeat // 2)
        )
        same = [(m, s.counts) for m, s in ptrend if any(s.counts)] == [
            (m, s.counts) for m, s in ptrend_raw
        ]
        results["checks"]["province trend: rollups = raw ratings"] = same
        if not same:
            raise click.ClickException("province trend differs between rollups and raw ratings")
        case(
            f"province trend, 12 months ({len(ids)} centers)",
            ms_ptrend,
            GOALS_MS["query"],
            ms_ptrend_raw,
        )

        ctx = {"province": province, "center_code": center.code, "period": period.code}
        # The demo inspector of the generated data: scope the province (as `demo seed` does).
        from portal.accounts.models import User

        inspector = db.session.scalar(sa.select(User).where(User.username == "thanhtra"))
        if inspector.scope_province_code != province:
            inspector.scope_province_code = province
            db.session.commit()
        client.post(
            "/account/login", data={"username": "thanhtra", "password": "PhuTho-thanhtra-2026"}
        )
        ms_center_page, resp = timed(lambda: client.get(f"/ratings/{center.code}"), repeat)
        assert resp.status_code == 200, resp.status_code
        case("staff center page /ratings/<code>", ms_center_page, GOALS_MS["page"], ms_trend_raw)

        # Dashboards (issue10-dash) -------------------------------------------------------
        from flask import url_for

        for endpoint, args in DASHBOARD_PAGES:
            if endpoint not in app.view_functions:
                click.echo(f"{endpoint:<44} absent (branch issue10-dash not merged)")
                results["cases"][endpoint] = "absent"
                continue
            with app.test_request_context():
                path = url_for(endpoint, **args(ctx))
            ms_dash, resp = timed(lambda p=path: client.get(p), repeat)
            assert resp.status_code == 200, (path, resp.status_code)
            baseline = ms_raw if endpoint.endswith("province") else ms_trend_raw
            case(f"{endpoint} {path}", ms_dash, GOALS_MS["page"], baseline)

        # Posters ---------------------------------------------------------------------------
        if posters:
            from portal.ratings.cli import posters_for
            from portal.ratings.posters import render_posters

            def render():
                with app.test_request_context():
                    counters = [
                        c
                        for c in __import__("portal.ratings.cli", fromlist=["x"]).active_counters(
                            None
                        )
                        if c.center.province_code == province
                    ]
                    return len(counters), render_posters(
                        posters_for(counters, base="https://danhgia.example.vn")
                    )

            t0 = time.perf_counter()
            n_posters, pdf = render()
            ms_posters = (time.perf_counter() - t0) * 1000
            results["posters"] = {"counters": n_posters, "pdf_bytes": len(pdf)}
            case(f"QR posters, province {province} ({n_posters})", ms_posters, GOALS_MS["posters"])

        if show_plans:
            explain("province ranking", query)
            explain(
                "raw counts (baseline)",
                sa.select(Rating.center_id, sa.func.count())
                .where(
                    Rating.center_id.in_(province_ids),
                    Rating.day >= start,
                    Rating.day <= end,
                    reportable_clause(),
                )
                .group_by(Rating.center_id),
            )
            from portal.ratings.models import RatingRollup

            t = RatingRollup
            explain(
                "rollup counts for a window (recompute)",
                sa.select(t.key_id, sa.func.sum(t.n1))
                .where(
                    t.scope == "center", t.key_id.in_(province_ids), t.day >= start, t.day <= end
                )
                .group_by(t.key_id),
            )
            explain(
                "center trend (rollups)",
                sa.select(t.day, t.n1).where(
                    t.scope == "center", t.key_id == center.id, t.day >= first, t.day <= today
                ),
            )
            in_period = sa.and_(
                Rating.center_id == center.id, Rating.day >= start, Rating.day <= end
            )
            explain(
                "center page comments",
                sa.select(Rating.id)
                .where(in_period, Rating.comment != "")
                .order_by(Rating.created_at.desc(), Rating.id.desc())
                .limit(100),
            )
            explain(
                "center page review queue",
                sa.select(Rating.id)
                .where(in_period, Rating.flags != "", Rating.cleared_at.is_(None))
                .order_by(Rating.created_at.desc(), Rating.id.desc())
                .limit(100),
            )
    results["load_average"] = os.getloadavg()
    return results


def db_name(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


@click.command()
@click.argument("url")
@click.option("--province", default=25, show_default=True)
@click.option("--repeat", default=7, show_default=True)
@click.option("--no-posters", is_flag=True)
@click.option("--explain", "show_plans", is_flag=True)
@click.option("--json", "json_path", default=None)
def main(url, province, repeat, no_posters, show_plans, json_path) -> None:
    """Time the reads of a scale database; ratios against raw ratings from the same run."""
    click.echo(f"load average before: {os.getloadavg()}")
    results = run(
        url, province=province, repeat=repeat, posters=not no_posters, show_plans=show_plans
    )
    click.echo(f"load average after: {results['load_average']}")
    click.echo(f"checks: {results['checks']}")
    if json_path:
        Path(json_path).write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
