"""Scale data: every center of the country, two years of ratings, assessed and ranked periods.

    .venv/bin/python bench/generate.py sqlite:////tmp/scale.sqlite3 --ratings 10000000 --reset
    .venv/bin/python bench/generate.py postgresql+psycopg://postgres@127.0.0.1:5432/scale \\
        --ratings 10000000 --reset

What it builds, in order (each step timed; see bench/README.md "Scale data"):

1. the schema, by the real migrations (``flask db upgrade``);
2. every center of the chosen provinces (default: all 34, ≈ 3,355 centers) through the
   centers service (``seed_province``, as ``flask centers seed``); counters (6–12 at a
   provincial center, 2–5 at a commune) and 1–2 officers per counter, in bulk;
   the demo accounts (admin, inspector, manager, officer of Phường Việt Trì);
3. the built-in standard (the standards service) and one quarter per three months of the
   window (the assessments service), each but the open one with a submitted assessment
   and a finalized inspection for 95 % of the centers (rows written in bulk: self and
   verified scores per area, gates; no answers or evidence, which no figure reads);
4. N ratings (default 10 million) over the window (default two years up to today),
   written with the database's bulk path: SQLite ``executemany`` in transactions of
   200,000 rows with ``synchronous=OFF, journal_mode=OFF`` for the load only; PostgreSQL
   ``COPY … FROM STDIN`` (psycopg 3 ``cursor.copy()``); the ratings table's secondary
   indexes and unique/foreign-key constraints are dropped before and rebuilt after;
5. the rollups, rebuilt from the raw ratings in SQL (``portal.ratings.rollups.rebuild``,
   one ``INSERT … SELECT … GROUP BY`` per scope);
6. the score snapshots of every complete quarter through the rankings service itself
   (``publish``: ``recompute_snapshots`` then publication), so they are exactly what the
   portal would compute from those rollups and inspections.

Patterns: working days only (no Sundays, no public holidays, Saturday mornings at about a
third of a weekday, Mondays busiest), office hours 7:30–11:30 and 13:30–17:00 with peaks at
8–11 and 14–16, volumes growing over the window (adoption); per-counter volume log-normal
around its center's (a provincial center about eight times a commune's); each center its
own score distribution (quality drawn per center, some centers polarized); 3 % of ratings
staff-assisted, 11 % from kiosks, 0.7 % flagged (most later reviewed: rejected or
confirmed), aspects on a third, comments on some low and a few high scores.

Tracking codes are a bijection of the rating id (8 characters of the portal's alphabet),
unique by construction; they are not secret here (bench data, not citizens').
"""

from __future__ import annotations

import bisect
import os
import random
import sqlite3
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app  # noqa: E402
from portal.accounts.models import Role, User  # noqa: E402
from portal.assessments import services as assessments  # noqa: E402
from portal.assessments.models import Assessment, AssessmentPeriod  # noqa: E402
from portal.centers import services as centers  # noqa: E402
from portal.centers.models import Center, Counter, Officer  # noqa: E402
from portal.demo import services as demo  # noqa: E402
from portal.demo.ratings import BAD_CHIPS, BAD_COMMENTS, GOOD_CHIPS, GOOD_COMMENTS  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.inspections.models import Inspection, InspectionStatus  # noqa: E402
from portal.rankings import services as rankings  # noqa: E402
from portal.ratings import rollups  # noqa: E402
from portal.scoring import rules  # noqa: E402
from portal.shared.qr import SHORT_CODE_ALPHABET  # noqa: E402
from portal.standards import services as standards  # noqa: E402

#: Vietnam's public holidays in the window (Tết and the Hùng Kings' day follow the lunar
#: calendar; the official days off as announced for 2024–2027).
HOLIDAYS: set[date] = set()
for _y in range(2023, 2029):
    HOLIDAYS |= {date(_y, 1, 1), date(_y, 4, 30), date(_y, 5, 1), date(_y, 9, 1), date(_y, 9, 2)}
for _start, _days in (
    (date(2024, 2, 8), 7),
    (date(2025, 1, 25), 9),
    (date(2026, 2, 14), 9),
    (date(2027, 2, 5), 6),
):
    HOLIDAYS |= {_start + timedelta(days=i) for i in range(_days)}
HOLIDAYS |= {date(2024, 4, 18), date(2025, 4, 7), date(2026, 4, 26), date(2027, 4, 16)}

#: Relative volume per local hour (minutes outside 7:30–11:30 and 13:30–17:00 get none).
HOUR_WEIGHTS = {7: 0.5, 8: 1.0, 9: 1.25, 10: 1.15, 11: 0.55, 13: 0.45, 14: 1.0, 15: 1.05, 16: 0.6}
WEEKDAY_WEIGHTS = (1.15, 1.0, 1.0, 1.0, 0.95, 0.35, 0.0)  # Monday … Sunday

COLUMNS = (
    "id",
    "tracking_code",
    "center_id",
    "counter_id",
    "officer_id",
    "receipt_id",
    "channel",
    "score",
    "aspect_access",
    "aspect_procedure",
    "aspect_staff",
    "aspect_result",
    "aspect_feedback",
    "chips",
    "comment",
    "comment_hidden",
    "comment_hidden_reason",
    "phone_encrypted",
    "phone_hmac",
    "consent_version",
    "flags",
    "from_center_network",
    "cleared_at",
    "cleared_by_id",
    "flag_review",
    "flag_review_reason",
    "day",
    "created_at",
)

CODE_SPACE = len(SHORT_CODE_ALPHABET) ** 8
CODE_MULTIPLIER = 982_451_653  # prime, coprime with 31**8: id -> code is a bijection
CODE_OFFSET = 123_456_789


def tracking_code(rating_id: int) -> str:
    x = (rating_id * CODE_MULTIPLIER + CODE_OFFSET) % CODE_SPACE
    out = []
    for _ in range(8):
        x, r = divmod(x, 31)
        out.append(SHORT_CODE_ALPHABET[r])
    return "".join(out)


def log(message: str) -> None:
    click.echo(f"[{datetime.now(UTC):%H:%M:%S}] {message}", err=True)


class Steps:
    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def run(self, name: str, fn, *args, **kwargs):
        log(f"{name} …")
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        self.times[name] = time.perf_counter() - t0
        log(f"{name}: {self.times[name]:.1f} s")
        return out


# Reset ----------------------------------------------------------------------------------


def reset_database(url: str) -> None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


# Reference data -------------------------------------------------------------------------


def seed_centers(province_codes: list[int]) -> int:
    total = sum(len(centers.official_units(p)) for p in province_codes)
    with click.progressbar(length=total, label="Centers", show_pos=True, file=sys.stderr) as bar:
        for code in province_codes:
            centers.seed_province(code, progress=bar.update)
    db.session.commit()
    return total


def seed_counters(rng: random.Random) -> None:
    rows = []
    for center_id, level in db.session.execute(
        sa.select(Center.id, Center.level).order_by(Center.id)
    ):
        n = rng.randint(6, 12) if level == "province" else rng.randint(2, 5)
        fields = [demo.FIELDS[i % len(demo.FIELDS)] for i in range(n)]
        rng.shuffle(fields)
        rows += [
            {"center_id": center_id, "number": i + 1, "field": f} for i, f in enumerate(fields)
        ]
    db.session.execute(sa.insert(Counter), rows)
    officers = []
    for counter_id, center_id in db.session.execute(
        sa.select(Counter.id, Counter.center_id).order_by(Counter.id)
    ):
        for _ in range(rng.randint(1, 2)):
            officers.append(
                {
                    "center_id": center_id,
                    "counter_id": counter_id,
                    "full_name": demo._name(rng),  # noqa: SLF001 - the demo's name maker
                    "position": rng.choice(demo.POSITIONS),
                }
            )
    db.session.execute(sa.insert(Officer), officers)
    db.session.execute(
        sa.update(Center).where(Center.opening_hours == "").values(opening_hours=demo.OPENING_HOURS)
    )
    db.session.commit()


def seed_accounts() -> User:
    home = db.session.scalar(
        sa.select(Center).where(Center.unit_name == "Phường Việt Trì", Center.province_code == 25)
    ) or db.session.scalar(sa.select(Center).where(Center.level == "commune").order_by(Center.id))
    for acc in demo.demo_accounts(25):
        user = User(
            username=acc.username,
            full_name=acc.full_name,
            role=acc.role.value,
            password_hash="",
            center=home if acc.role in (Role.MANAGER, Role.OFFICER) else None,
        )
        if acc.role == Role.INSPECTOR:
            user.scope_province_code = 25  # the demo inspector: Phú Thọ, as `demo seed`
        if acc.role == Role.OFFICER:
            user.officer = db.session.scalar(
                sa.select(Officer).where(Officer.center_id == home.id).order_by(Officer.id)
            )
        user.set_password(acc.password)
        db.session.add(user)
    db.session.commit()
    return db.session.scalar(sa.select(User).where(User.role == Role.ADMIN))


def quarters(start: date, end: date) -> list[tuple[str, date, date]]:
    out = []
    day = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    while day <= end:
        out.append(demo.current_quarter(day))
        day = out[-1][2] + timedelta(days=1)
    return out


def seed_periods(admin: User, start: date, end: date, rng: random.Random, quality: dict):
    """The quarters of the window; every complete one assessed and inspected (bulk rows)."""
    version = standards.import_standard(
        standards.load_file(standards.DEFAULT_STANDARD_FILE), actor=None
    ).version
    inspector = db.session.scalar(sa.select(User).where(User.role == Role.INSPECTOR))
    area_codes = [a.code for a in version.areas]
    window = 10
    complete = []
    for code, opens_on, closes_on in quarters(start, end):
        period = demo.create_quarter(code, opens_on, closes_on, version, actor=admin)
        db.session.flush()
        if closes_on >= end:
            continue  # the open quarter: self-assessment under way, nothing inspected
        complete.append(period)
        submitted = datetime.combine(closes_on - timedelta(days=5), datetime.min.time())
        finalized = submitted + timedelta(days=12)
        rows, plans = [], []
        for center_id, c_quality in quality.items():
            if rng.random() < 0.05:
                continue  # no assessment sent this quarter
            self_score = min(100.0, max(30.0, c_quality * 100 + rng.gauss(3, 4)))
            verified = max(20.0, self_score - abs(rng.gauss(2, 3)))
            areas = {
                a: [
                    round(min(1.0, max(0.0, self_score / 100 + rng.gauss(0, 0.05))), 4),
                    round(min(1.0, max(0.0, verified / 100 + rng.gauss(0, 0.05))), 4),
                ]
                for a in area_codes
            }
            gates_ok = rng.random() < 0.9
            rows.append(
                {
                    "period_id": period.id,
                    "center_id": center_id,
                    "status": "submitted",
                    "revision": 1,
                    "self_score": round(self_score, 4),
                    "created_at": submitted - timedelta(days=10),
                    "updated_at": submitted,
                    "submitted_at": submitted,
                }
            )
            plans.append((center_id, self_score, verified, areas, gates_ok))
        db.session.execute(sa.insert(Assessment), rows)
        ids = dict(
            db.session.execute(
                sa.select(Assessment.center_id, Assessment.id).where(
                    Assessment.period_id == period.id
                )
            ).all()
        )
        db.session.execute(
            sa.insert(Inspection),
            [
                {
                    "assessment_id": ids[center_id],
                    "status": InspectionStatus.FINALIZED,
                    "round": 1,
                    "started_at": submitted + timedelta(days=2),
                    "started_by_id": inspector.id,
                    "finalized_at": finalized,
                    "finalized_by_id": inspector.id,
                    "appeal_until": finalized.date() + timedelta(days=window),
                    "self_score": round(self_score, 4),
                    "verified_score": round(verified, 4),
                    "gates_ok": gates_ok,
                    "standardized": rules.is_standardized(
                        gates_ok=gates_ok,
                        compliance_verified=verified,
                        threshold=rules.STANDARDIZED_THRESHOLD,
                    ),
                    "result": {"areas": areas, "criteria": {}},
                    "updated_at": finalized,
                }
                for center_id, self_score, verified, areas, gates_ok in plans
            ],
        )
    db.session.commit()
    return complete


# Ratings --------------------------------------------------------------------------------


class RatingPlan:
    """Everything the rating rows are drawn from: counters, days, minutes, score tables."""

    def __init__(self, rng: random.Random, start: date, end: date, total: int) -> None:
        self.rng = rng
        rows = db.session.execute(
            sa.select(Counter.id, Counter.center_id, Center.level)
            .join(Center, Center.id == Counter.center_id)
            .order_by(Counter.id)
        ).all()
        officers: dict[int, list[int]] = {}
        for officer_id, counter_id in db.session.execute(
            sa.select(Officer.id, Officer.counter_id).order_by(Officer.id)
        ):
            officers.setdefault(counter_id, []).append(officer_id)
        center_factor: dict[int, float] = {}
        self.quality: dict[int, float] = {}
        self.score_cdf: dict[int, list[float]] = {}
        for _counter_id, center_id, level in rows:
            if center_id in center_factor:
                continue
            base = 8.0 if level == "province" else 1.0
            center_factor[center_id] = base * rng.lognormvariate(0, 0.7)
            q = rng.betavariate(5, 2)
            self.quality[center_id] = q
            weights = [
                max(0.02, 0.25 - 0.25 * q),
                max(0.03, 0.25 - 0.22 * q),
                0.25 - 0.1 * q,
                0.2 + 0.15 * q,
                0.05 + 0.55 * q,
            ]
            if rng.random() < 0.15:  # polarized: many 1s and 5s, few in between
                weights = [
                    weights[0] + 0.15,
                    weights[1] * 0.6,
                    weights[2] * 0.4,
                    weights[3] * 0.7,
                    weights[4] + 0.1,
                ]
            s = sum(weights)
            acc, cdf = 0.0, []
            for w in weights[:4]:
                acc += w / s
                cdf.append(acc)
            self.score_cdf[center_id] = cdf
        self.counters = [(cid, center_id, officers.get(cid, [])) for cid, center_id, _l in rows]
        acc = 0.0
        self.counter_cum = []
        for _cid, center_id, _o in self.counters:
            acc += center_factor[center_id] * rng.lognormvariate(0, 0.5)
            self.counter_cum.append(acc)
        # Days and how many ratings each gets.
        days, weights = [], []
        span = (end - start).days or 1
        day = start
        while day <= end:
            w = WEEKDAY_WEIGHTS[day.weekday()]
            if w and day not in HOLIDAYS:
                days.append(day)
                weights.append(w * (0.65 + 0.35 * (day - start).days / span))
            day += timedelta(days=1)
        scale = total / sum(weights)
        counts = [int(w * scale) for w in weights]
        for i in range(total - sum(counts)):
            counts[i % len(counts)] += 1
        self.days = list(zip(days, counts, strict=True))
        # Seconds of the local day with their weights (Saturday: mornings only).
        self.minutes_full, self.minutes_full_cum = self._minutes(afternoon=True)
        self.minutes_sat, self.minutes_sat_cum = self._minutes(afternoon=False)
        self.aspect_sets = {
            s: [
                tuple(max(1, min(5, s + rng.choice((-1, 0, 0, 0, 1)))) for _ in range(5))
                for _ in range(64)
            ]
            for s in range(1, 6)
        }
        self.end = end

    @staticmethod
    def _minutes(*, afternoon: bool):
        minutes, cum, acc = [], [], 0.0
        for m in range(24 * 60):
            hour, minute = divmod(m, 60)
            morning = (7 * 60 + 30) <= m < (11 * 60 + 30)
            after = (13 * 60 + 30) <= m < 17 * 60
            if not (morning or (after and afternoon)):
                continue
            acc += HOUR_WEIGHTS.get(hour, 0.0)
            minutes.append(m)
            cum.append(acc)
        return minutes, cum

    def rows_for_day(self, day: date, n: int, next_id: int):
        rng = self.rng
        saturday = day.weekday() == 5
        minutes = self.minutes_sat if saturday else self.minutes_full
        cum = self.minutes_sat_cum if saturday else self.minutes_full_cum
        picks = rng.choices(range(len(self.counters)), cum_weights=self.counter_cum, k=n)
        moments = [m * 60 + rng.randrange(60) for m in rng.choices(minutes, cum_weights=cum, k=n)]
        order = sorted(zip(moments, picks, strict=True))
        day_s = day.isoformat()
        recent = (self.end - day).days < 30
        out = []
        random_ = rng.random
        for seconds, pick in order:
            counter_id, center_id, staff = self.counters[pick]
            utc = seconds - 7 * 3600  # Asia/Ho_Chi_Minh is UTC+7; office hours stay on the day
            h, rem = divmod(utc, 3600)
            created = f"{day_s} {h:02d}:{rem // 60:02d}:{rem % 60:02d}.{rng.randrange(1000000):06d}"
            score = bisect.bisect(self.score_cdf[center_id], random_()) + 1
            u = random_()
            channel = "counter_qr" if u < 0.86 else ("kiosk" if u < 0.97 else "staff")
            officer_id = staff[int(random_() * len(staff))] if staff and random_() > 0.08 else None
            aspects = (
                rng.choice(self.aspect_sets[score])
                if random_() < 0.33
                else (None, None, None, None, None)
            )
            chips = comment = ""
            if score <= 2 and random_() < 0.4:
                chips, comment = rng.choice(BAD_CHIPS), rng.choice(BAD_COMMENTS)
            elif score >= 4 and random_() < 0.05:
                chips, comment = rng.choice(GOOD_CHIPS), rng.choice(GOOD_COMMENTS)
            flags = ""
            cleared_at = review = None
            reason = ""
            if channel != "staff" and random_() < 0.007:
                flags = "burst"
                v = random_()
                if not recent or v < 0.6:
                    cleared_at = created  # reviewed (the day is what the rollups need)
                    review = "rejected" if v < 0.7 or recent else "confirmed"
                    reason = "Đã xác minh với trung tâm."
            out.append(
                (
                    next_id,
                    tracking_code(next_id),
                    center_id,
                    counter_id,
                    officer_id,
                    None,
                    channel,
                    score,
                    *aspects,
                    chips,
                    comment,
                    0,
                    "",
                    None,
                    None,
                    None,
                    flags,
                    0,
                    cleared_at,
                    None,
                    review,
                    reason,
                    day_s,
                    created,
                )
            )
            next_id += 1
        return out


class SqliteWriter:
    BATCH = 200_000

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode = OFF",
            "synchronous = OFF",
            "cache_size = -1000000",
            "temp_store = MEMORY",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        self.indexes = [
            (name, sql)
            for name, sql in self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                "AND tbl_name = 'ratings' AND sql IS NOT NULL"
            )
        ]
        for name, _sql in self.indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        placeholders = ", ".join("?" for _ in COLUMNS)
        columns = ", ".join(COLUMNS)
        self.sql = f"INSERT INTO ratings ({columns}) VALUES ({placeholders})"  # noqa: S608
        self.pending: list[tuple] = []
        self.conn.execute("BEGIN")

    def write(self, rows: list[tuple]) -> None:
        self.pending += rows
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        self.conn.executemany(self.sql, self.pending)
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")
        self.pending = []

    def finish(self) -> None:
        self.flush()
        self.conn.execute("COMMIT")

    def rebuild_indexes(self) -> None:
        for _name, sql in self.indexes:
            self.conn.execute(sql)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.close()


class PostgresWriter:
    def __init__(self, url: str) -> None:
        import psycopg

        parsed = sa.engine.make_url(url).set(drivername="postgresql")
        self.conn = psycopg.connect(parsed.render_as_string(hide_password=False), autocommit=True)
        cur = self.conn.cursor()
        self.constraints = cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'ratings'::regclass AND contype IN ('u', 'f')"
        ).fetchall()
        for name, _definition in self.constraints:
            cur.execute(f'ALTER TABLE ratings DROP CONSTRAINT "{name}"')
        self.indexes = cur.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = 'ratings' "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        ).fetchall()
        for name, _definition in self.indexes:
            cur.execute(f'DROP INDEX "{name}"')
        self.cursor = cur
        self.conn.autocommit = False
        self.copy_cm = cur.copy(f"COPY ratings ({', '.join(COLUMNS)}) FROM STDIN")
        self.copy = self.copy_cm.__enter__()

    def write(self, rows: list[tuple]) -> None:
        lines = ["\t".join("\\N" if v is None else str(v) for v in row) for row in rows]
        lines.append("")
        self.copy.write("\n".join(lines))

    def finish(self) -> None:
        self.copy_cm.__exit__(None, None, None)
        self.conn.commit()

    def rebuild_indexes(self) -> None:
        self.conn.autocommit = True
        cur = self.conn.cursor()
        cur.execute("SET maintenance_work_mem = '512MB'")
        for name, definition in self.constraints:
            cur.execute(f'ALTER TABLE ratings ADD CONSTRAINT "{name}" {definition}')
        for _name, definition in self.indexes:
            cur.execute(definition)
        cur.execute("SELECT setval('ratings_id_seq', (SELECT max(id) FROM ratings))")
        self.conn.close()


def load_ratings(url: str, plan: RatingPlan, total: int, steps: Steps) -> None:
    db.session.commit()
    db.engine.dispose()
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        writer: SqliteWriter | PostgresWriter = SqliteWriter(parsed.database)
    else:
        writer = PostgresWriter(url)

    def insert() -> None:
        next_id = 1
        with click.progressbar(
            length=total, label="Ratings", show_pos=True, file=sys.stderr
        ) as bar:
            for day, n in plan.days:
                if n:
                    writer.write(plan.rows_for_day(day, n, next_id))
                    next_id += n
                    bar.update(n)
        writer.finish()

    steps.run("ratings: generate and insert", insert)
    steps.run("ratings: indexes and constraints", writer.rebuild_indexes)


def analyze() -> None:
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def publish_periods(periods: list[AssessmentPeriod], admin: User) -> None:
    with click.progressbar(periods, label="Snapshots", file=sys.stderr) as bar:
        for period in bar:
            period = db.session.get(AssessmentPeriod, period.id)
            rankings.publish(period, actor=admin)
            db.session.commit()


@click.command()
@click.argument("url")
@click.option("--ratings", "total", default=10_000_000, show_default=True)
@click.option(
    "--provinces",
    default="all",
    show_default=True,
    help="Comma-separated province codes, or 'all' (34 provinces, ≈ 3,355 centers).",
)
@click.option("--days", default=730, show_default=True, help="Length of the window.")
@click.option("--end", "end_s", default=None, help="Last day (YYYY-MM-DD; default today).")
@click.option("--seed", default=11, show_default=True)
@click.option("--reset", is_flag=True, help="Delete the SQLite file / drop the PG schema first.")
def main(url, total, provinces, days, end_s, seed, reset) -> None:
    """Fill the database at URL with scale data (see the module docstring)."""
    os.environ.setdefault("PORTAL_ENV", "development")
    if reset:
        reset_database(url)
    steps = Steps()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLITE_SYNCHRONOUS": "NORMAL"})
    generate(
        app, url, total=total, provinces=provinces, days=days, end_s=end_s, seed=seed, steps=steps
    )
    click.echo("\nStep times (s):")
    for name, seconds in steps.times.items():
        click.echo(f"  {name:<40} {seconds:8.1f}")
    click.echo(f"  {'total':<40} {sum(steps.times.values()):8.1f}")


def generate(app, url, *, total, provinces="all", days=730, end_s=None, seed=11, steps=None):
    """The whole build, callable from tests (small N) and from the command line."""
    from flask_migrate import upgrade

    steps = steps or Steps()
    rng = random.Random(seed)  # noqa: S311 - bench data, reproducible
    with app.app_context():
        end = date.fromisoformat(end_s) if end_s else assessments.today_local()
        start = end - timedelta(days=days - 1)
        codes = (
            centers.province_codes()
            if provinces == "all"
            else [int(p) for p in str(provinces).split(",")]
        )
        steps.run("schema (flask db upgrade)", upgrade)
        steps.run("centers (centers service)", seed_centers, codes)
        steps.run("counters and officers", seed_counters, rng)
        admin = steps.run("accounts", seed_accounts)
        plan = steps.run("rating plan", RatingPlan, rng, start, end, total)
        periods = steps.run(
            "standard, periods, inspections", seed_periods, admin, start, end, rng, plan.quality
        )
        period_ids = [p.id for p in periods]
        admin_id = admin.id
        load_ratings(url, plan, total, steps)
        db.session.remove()

        def build_rollups() -> int:
            n = rollups.rebuild()
            db.session.commit()
            return n

        n_rollups = steps.run("rollups (INSERT … SELECT … GROUP BY)", build_rollups)
        log(f"{n_rollups} rollup rows")
        steps.run("ANALYZE", analyze)
        admin = db.session.get(User, admin_id)
        periods = [db.session.get(AssessmentPeriod, i) for i in period_ids]
        steps.run("snapshots (rankings.publish per quarter)", publish_periods, periods, admin)
    return steps


if __name__ == "__main__":
    main()
