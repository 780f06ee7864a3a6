"""The dashboards on `flask demo seed`'s data (Phú Thọ, 149 centers, three quarters).

Every figure of the province list equals the stored snapshot of the same period; filters,
sorting and paging agree with direct counts on the snapshot table; an inspector scoped to
another province sees none of these centers.
"""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from babel.numbers import format_decimal

from portal import create_app
from portal.accounts.models import Role, User
from portal.assessments.models import AssessmentPeriod
from portal.centers.models import Center
from portal.complaints.models import Case
from portal.demo.services import current_period, demo_accounts
from portal.extensions import db
from portal.rankings.models import ScoreSnapshot
from portal.shared.timeutils import today_local

from ..conftest import IsolatedClient, copy_demo

PASSWORDS = {a.username: a.password for a in demo_accounts(25)}


@pytest.fixture(scope="module")
def demo(demo_template, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp, copy_demo(demo_template, tmp_path_factory) as data:
        mp.setenv("PORTAL_ENV", "testing")
        tmp = tmp_path_factory.mktemp("dash-demo")
        app = create_app({**data.config(), "INSTANCE_TMP": str(tmp), "RATELIMIT_ENABLED": False})
        app.test_client_class = IsolatedClient
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()


def login(app, username: str, password: str | None = None):
    client = app.test_client()
    response = client.post(
        "/account/login", data={"username": username, "password": password or PASSWORDS[username]}
    )
    assert response.status_code == 302
    return client


class _Rows(HTMLParser):
    """The province table's rows: {code: [cell texts]}, in page order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[str, list[str]]] = []
        self._in_table = False
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == "centers":
            self._in_table = True
        if self._in_table and tag == "tr" and attrs.get("data-code"):
            self.rows.append((attrs["data-code"], []))
        if self._in_table and self.rows and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        if self._cell is not None and tag in ("td", "th"):
            self.rows[-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def rows_of(html: str) -> list[tuple[str, list[str]]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


def vi(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0", locale="vi")


COLUMNS = (
    "rank",
    "name",
    "c_self",
    "c_verified",
    "gap",
    "s",
    "csat",
    "n",
    "q",
    "class",
    "standardized",
    "trend",
)


def all_rows(client, query: str = "") -> list[tuple[str, dict]]:
    out = []
    page = 1
    while True:
        html = client.get(f"/dashboards/?{query}&page={page}").get_data(as_text=True)
        rows = rows_of(html)
        out += [(code, dict(zip(COLUMNS, cells, strict=True))) for code, cells in rows]
        if 'rel="next"' not in html:
            return out
        page += 1


def snapshots(period) -> dict[str, ScoreSnapshot]:
    return {
        c.code: s
        for s, c in db.session.execute(
            sa.select(ScoreSnapshot, Center)
            .join(Center, Center.id == ScoreSnapshot.center_id)
            .where(ScoreSnapshot.period_id == period.id)
        )
    }


def test_three_quarters_are_scored_and_the_landing_is_the_dashboard(demo):
    with demo.app_context():
        periods = db.session.scalars(
            sa.select(AssessmentPeriod).order_by(AssessmentPeriod.opens_on)
        ).all()
        assert len(periods) == 3
        for p in periods:
            verified = db.session.scalar(
                sa.select(sa.func.count(ScoreSnapshot.id)).where(
                    ScoreSnapshot.period_id == p.id, ScoreSnapshot.quality.is_not(None)
                )
            )
            assert verified > 149 // 2, p.code  # most centers have a verified, ranked result
    client = login(demo, "thanhtra")
    assert client.get("/").headers["Location"].endswith("/dashboards/")


def test_every_row_equals_its_snapshot(demo):
    client = login(demo, "admin")
    with demo.app_context():
        period = current_period()
        stored = snapshots(period)
        earlier = db.session.scalars(
            sa.select(AssessmentPeriod)
            .where(AssessmentPeriod.opens_on < period.opens_on)
            .order_by(AssessmentPeriod.opens_on.desc())
        ).first()
        before = snapshots(earlier)
        rows = all_rows(client, f"period={period.code}")
        assert len(rows) == 149 == len(stored)
        assert len({code for code, _r in rows}) == 149  # no center twice across pages
        trends = 0
        for code, row in rows:
            s = stored[code]
            assert row["name"] == s.center.name
            assert row["rank"] == (str(s.rank) if s.rank else "–")
            assert row["c_self"] == vi(s.compliance_self)
            assert row["c_verified"] == vi(s.compliance_verified)
            assert row["gap"] == vi(s.gap)
            assert row["s"] == vi(s.satisfaction_index)
            assert row["n"] == vi(s.n_ratings, 0)
            assert row["q"] == vi(s.quality)
            assert row["csat"].rstrip("*") == ("–" if s.csat is None else f"{vi(s.csat * 100)} %")
            prev = before[code].quality
            if s.quality is not None and prev is not None:
                delta = round(s.quality - prev, 2)
                sign = "▲ +" if delta > 0 else ("▼ " if delta < 0 else "= ")
                assert row["trend"] == f"{sign}{vi(delta) if delta else '0'}", code
                trends += 1
            else:
                assert row["trend"] == "–"
        assert trends > 50  # the earlier quarters give most centers a trend


def test_filters_match_direct_counts(demo):
    client = login(demo, "thanhtra")
    with demo.app_context():
        period = current_period()
        stored = list(snapshots(period).values())

        def count(html):
            return int(re.search(r'id="result-count">(\d+)', html).group(1))

        cases = {
            "level=province": [s for s in stored if s.center.level == "province"],
            "klass=good": [s for s in stored if s.classification == "good"],
            "standardized=yes": [s for s in stored if s.standardized],
            "standardized=no": [s for s in stored if not s.standardized],
            "state=final": [s for s in stored if s.state == "final"],
            "state=not_verified": [s for s in stored if s.state == "not_verified"],
            "level=commune&klass=excellent": [
                s for s in stored if s.center.level == "commune" and s.classification == "excellent"
            ],
        }
        for query, expected in cases.items():
            html = client.get(f"/dashboards/?period={period.code}&{query}").get_data(as_text=True)
            assert count(html) == len(expected), query
            codes = {code for code, _r in all_rows(client, f"period={period.code}&{query}")}
            assert codes == {s.center.code for s in expected}, query
        # Search without diacritics
        html = client.get("/dashboards/?q=viet+tri").get_data(as_text=True)
        names = [cells[1] for _code, cells in rows_of(html)]
        assert names and all("Việt Trì" in n for n in names)


def test_sorting_orders_the_whole_list_in_sql(demo):
    client = login(demo, "admin")
    with demo.app_context():
        period = current_period()
        stored = snapshots(period)

        def values(query, attr):
            return [getattr(stored[c], attr) for c, _r in all_rows(client, query)]

        q = values(f"period={period.code}&sort=quality&order=desc", "quality")
        present = [v for v in q if v is not None]
        assert present == sorted(present, reverse=True)
        assert q[: len(present)] == present  # unverified centers last
        n = values(f"period={period.code}&sort=n&order=asc", "n_ratings")
        assert n == sorted(n)
        gaps = values(f"period={period.code}&sort=gap&order=desc", "gap")
        shown = [g for g in gaps if g is not None]
        assert shown == sorted(shown, reverse=True)
        names = [r["name"] for _c, r in all_rows(client, f"period={period.code}&sort=name")]
        assert len(names) == 149
        assert names[0] <= names[-1]


def test_pages_and_an_unknown_filter_value(demo):
    client = login(demo, "admin")
    html = client.get("/dashboards/").get_data(as_text=True)
    per_page = demo.config["PER_PAGE"]
    assert f"page={math.ceil(149 / per_page)}" in html  # the link to the last page
    assert len(rows_of(html)) == per_page
    # A hand-edited value is ignored (the default list), not an error.
    bad = client.get("/dashboards/?klass=nonsense&sort=evil")
    assert bad.status_code == 200 and len(rows_of(bad.get_data(as_text=True))) == per_page
    assert client.get("/dashboards/?period=1999-Q1").status_code == 404


def test_headline_counts_match_the_tables(demo):
    client = login(demo, "thanhtra")
    html = client.get("/dashboards/").get_data(as_text=True)
    with demo.app_context():
        period = current_period()
        stored = list(snapshots(period).values())
        today = today_local()
        overdue = db.session.scalar(
            sa.select(sa.func.count(Case.id)).where(Case.status == "open", Case.due_on < today)
        )
    assert f'id="stat-overdue-cases">{overdue}<' in html
    share = sum(s.standardized for s in stored) / len(stored) * 100
    assert f'id="stat-standardized">{vi(share)} %<' in html
    for chart_id in ("chart-satisfaction", "chart-classes", "chart-honesty", "chart-areas"):
        assert f'id="{chart_id}"' in html
    assert html.count('role="img"') >= 4


def test_an_inspector_of_another_province_sees_none_of_these_centers(demo):
    with demo.app_context():
        far = Center(
            code="99901",
            name="Trung tâm ở tỉnh khác",
            level="commune",
            province_code=1,
            province_name="Hà Nội",
            unit_code=99901,
            unit_name="Phường khác",
            unit_type="Phường",
        )
        far.refresh_search_key()
        db.session.add(far)
        user = User(username="other-insp", full_name="Đoàn khác", role=Role.INSPECTOR)
        user.scope_centers = [far]
        user.set_password("Other-inspector-2026")
        db.session.add(user)
        db.session.commit()
        ours = db.session.scalar(sa.select(Center.code).where(Center.province_code == 25))
    client = login(demo, "other-insp", "Other-inspector-2026")
    html = client.get("/dashboards/").get_data(as_text=True)
    assert rows_of(html) == []
    assert 'id="result-count">0' in html
    assert client.get(f"/dashboards/centers/{ours}").status_code == 403


def test_manager_lands_on_the_center_dashboard_with_its_scores(demo):
    client = login(demo, "quanly")
    landing = client.get("/").headers["Location"]
    assert landing.endswith("/dashboards/centers/07900")
    html = client.get(landing).get_data(as_text=True)
    with demo.app_context():
        period = current_period()
        earlier = db.session.scalars(
            sa.select(AssessmentPeriod)
            .where(AssessmentPeriod.opens_on < period.opens_on)
            .order_by(AssessmentPeriod.opens_on.desc())
        ).first()
        center = db.session.scalar(sa.select(Center).where(Center.code == "07900"))
        snap = snapshots(earlier)["07900"]
    assert center.name in html
    assert 'id="chart-center-satisfaction"' in html
    # The current quarter is still returned for correction; the earlier one is verified.
    earlier_html = client.get(f"{landing}?period={earlier.code}").get_data(as_text=True)
    assert f'id="center-q">{vi(snap.quality)}<' in earlier_html
    assert 'id="chart-center-areas"' in earlier_html
    assert client.get("/dashboards/").status_code == 403


def test_officer_names_on_a_counter_link_to_their_row_of_the_officers_sheet(demo):
    manager = db.session.scalar(sa.select(User).where(User.username == "quanly"))
    center = manager.center
    counter = center.counters[0]
    client = login(demo, "quanly")
    html = client.get(f"/dashboards/centers/{center.code}/counters/{counter.id}").get_data(
        as_text=True
    )
    officers = [o for o in center.officers if o.counter_id == counter.id]
    assert officers
    for officer in officers:
        link = re.search(rf'<a href="([^"]+#officer-{officer.id})">{officer.full_name}</a>', html)
        assert link is not None, officer.full_name
        assert f"center={center.code}" in link.group(1)
        sheet = client.get(link.group(1).split("#")[0].replace("&amp;", "&"))
        assert sheet.status_code == 200
        assert f'id="officer-{officer.id}"' in sheet.get_data(as_text=True)
    # Another center's manager is still refused the sheet (authorization unchanged).
    other = db.session.scalar(sa.select(Center).where(Center.id != center.id).limit(1))
    assert client.get(f"/rankings/officers?center={other.code}").status_code in (403, 404)
