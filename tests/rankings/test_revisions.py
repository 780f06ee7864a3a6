"""Provisional and final publication, numbered revisions, and one figure per revision on
the board, in the API, the CSV and the exports (issue 19)."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.centers.models import Center
from portal.exports import services as exports
from portal.extensions import db
from portal.inspections.models import Inspection
from portal.rankings import services
from portal.rankings.models import PublishedRow, ResultRevision, ScoreSnapshot
from portal.rankings.revisions import frozen_figures
from portal.shared.signals import inspection_result_changed
from portal.shared.timeutils import today_local

from ..conftest import PASSWORD
from ..pdftext import printed_text
from .conftest import add_rollup, add_verified
from .test_views import validate


def _revisions(period) -> list[ResultRevision]:
    db.session.expire_all()
    return services.revisions_of(period)


def test_a_period_is_never_published_as_final_before_its_last_day(small_period, users):
    """Exhaustive over every day from before the period to its last day, with every
    appeal window closed: final is always refused, provisional always allowed once open."""
    period = small_period["period"]
    for inspection in db.session.scalars(sa.select(Inspection)):
        inspection.appeal_until = period.opens_on - timedelta(days=30)
    db.session.commit()
    day = period.opens_on - timedelta(days=3)
    while day <= period.closes_on:
        with pytest.raises(services.RankingsError) as refused:
            services.publish(period, actor=users["admin"], final=True, today=day)
        db.session.rollback()
        assert services.published_periods() == []
        if day >= period.opens_on:
            assert "chỉ được công bố chính thức sau ngày cuối cùng" in str(refused.value)
        day += timedelta(days=1)
    # The day after the end, with every window closed, it can.
    services.publish(
        period, actor=users["admin"], final=True, today=period.closes_on + timedelta(1)
    )
    db.session.commit()
    [revision] = _revisions(period)
    assert revision.number == 1 and revision.is_final and revision.cut_off == period.closes_on


def test_final_waits_for_the_last_appeal_window(small_period, users):
    period = small_period["period"]
    after = period.closes_on + timedelta(days=1)
    services.publish(period, actor=users["admin"])  # provisional, during the period
    db.session.commit()
    db.session.scalars(sa.select(Inspection)).first().appeal_until = after + timedelta(days=4)
    db.session.commit()
    with pytest.raises(services.RankingsError) as refused:
        services.publish(period, actor=users["admin"], final=True, today=after)
    db.session.rollback()
    assert "07900" in str(refused.value) or "07894" in str(refused.value)
    assert [r.status for r in _revisions(period)] == ["provisional"]
    # A second provisional publication is refused too: changes make revisions.
    with pytest.raises(services.RankingsError):
        services.publish(period, actor=users["admin"])
    db.session.rollback()
    services.publish(period, actor=users["admin"], final=True, today=after + timedelta(days=5))
    db.session.commit()
    assert [(r.number, r.status) for r in _revisions(period)] == [
        (2, "final"),
        (1, "provisional"),
    ]
    with pytest.raises(services.RankingsError):
        services.publish(period, actor=users["admin"], final=True, today=after + timedelta(6))


def test_ratings_count_through_the_last_day_after_a_provisional_publication(small_period, users):
    period, c = small_period["period"], small_period["C"]
    services.publish(period, actor=users["admin"])
    db.session.commit()
    # A rating of a later day of the period (after the publication) counts in revision 2.
    add_rollup(c, (0, 0, 0, 0, 15), day=today_local() + timedelta(days=3))
    db.session.commit()
    services.recompute_snapshots(period, actor=None)
    db.session.commit()
    row = services.snapshot_for(period, c)
    assert row.n_ratings == 35 and services.period_status(period).revision == 2


def _public(client, period, number=None) -> dict:
    """What the board, the API and the CSV say of a revision: (code, rank, Q, class,
    under appeal) in order."""
    suffix = f"&revision={number}" if number else ""
    api = validate(client.get(f"/api/v1/rankings?period={period.code}{suffix}"), "/rankings")
    from_api = [
        (c["code"], c["rank"], c["quality"], c["class"], c["under_appeal"]) for c in api["centers"]
    ]
    body = client.get(f"/rankings/{period.code}/ranking.csv?x=1{suffix}").get_data(as_text=True)
    lines = body.lstrip("\ufeff").splitlines()
    from_csv = [
        (
            r["code"],
            int(r["rank"]) if r["rank"] else None,
            float(r["quality"]) if r["quality"] else None,
            r["class"] or None,
            r["under_appeal"] == "yes",
        )
        for r in csv.DictReader(io.StringIO("\n".join(lines[:-1])))
    ]
    html = client.get(f"/rankings/?period={period.code}{suffix}").get_data(as_text=True)
    board = re.findall(r"/rankings/centers/(\d{5})\?", html)
    assert from_api == from_csv, "API and CSV disagree"
    assert board == [row[0] for row in from_api], "the board's order differs"
    for code, _rank, _q, _klass, appealed in from_api:
        cell = html[html.index(f"/rankings/centers/{code}?") :].split("</th>", 1)[0]
        assert ("Đang kiến nghị" in cell) == appealed
    return {"rows": from_api, "period": api["period"], "html": html}


def _pdf_figures(staff, period, code: str, number: int) -> tuple[str, str]:
    """What the center's PDF report of revision ``number`` prints as its Q and its rank."""
    response = staff.get(f"/documents/periods/{period.code}/centers/{code}.pdf?revision={number}")
    assert response.status_code == 200
    text = " ".join(printed_text(response.data))
    assert f"công bố lần {number}" in text, "the report does not name its revision"
    quality = re.search(r"Điểm chất lượng Q:?\s+(\S+)", text).group(1)
    rank = re.search(r"Hạng trong tỉnh:?\s+(\S+)", text).group(1)
    return quality, rank


def _vi(value) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def _export(period) -> list[tuple]:
    centers = list(db.session.scalars(sa.select(Center).order_by(Center.code)))
    table = exports.rankings_table(period, centers)
    return [(row[1], row[0], row[6], row[-1]) for row in table.rows], table.notes


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["ratings", "verified", "appeal", "nothing"]),
            st.sampled_from(["A", "B", "C"]),
            st.integers(min_value=0, max_value=40),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_every_change_after_publication_is_a_revision_and_every_reader_agrees(
    published_once, client, users, steps
):
    """After any sequence of changes: a recompute that changes a published figure writes
    exactly one new revision; one that changes nothing writes none; and for every
    revision the board, the API, the CSV, a center's PDF report (and the exports for the
    latest) agree with its frozen rows."""
    small = published_once
    period = small["period"]
    for kind, who, amount in steps:
        center = small[who]
        before = _revisions(period)[0]
        if kind == "ratings":
            day = period.opens_on + timedelta(days=amount % 40)
            if (who, day) not in USED_DAYS:
                USED_DAYS.add((who, day))
                add_rollup(center, (0, amount % 3, 0, amount, 1), day=day)
        elif kind == "verified":
            inspection = _inspection(period, center)
            if inspection is not None:
                inspection.verified_score = 60.0 + amount
        elif kind == "appeal":
            inspection = _inspection(period, center)
            if inspection is not None:
                inspection.status = (
                    "under_appeal" if inspection.status == "finalized" else "finalized"
                )
        db.session.commit()
        live_before = {r["code"]: r for r in services.ranking_records(period, before)}
        services.recompute_snapshots(period, actor=None)
        db.session.commit()
        after = _revisions(period)[0]
        changed = services.ranking_records(period, after) != list(live_before.values())
        frozen_differs = after.id != before.id
        live = {
            s.center_id: frozen_figures(s)
            for s in db.session.scalars(
                sa.select(ScoreSnapshot).where(ScoreSnapshot.period_id == period.id)
            )
        }
        rows = {
            r.center_id: r.figures
            for r in db.session.scalars(
                sa.select(PublishedRow).where(PublishedRow.revision_id == after.id)
            )
        }
        assert rows == live, "the latest revision is not what the snapshots say"
        if frozen_differs:
            assert after.number == before.number + 1
            moved = {code for code, *_ in after.moved}
            old = {code: r["rank"] for code, r in live_before.items()}
            new = {r["code"]: r["rank"] for r in services.ranking_records(period, after)}
            assert moved == {code for code in new if new[code] != old.get(code)}
        else:
            assert not changed
    if "staff" not in small:  # one login for all the examples (logins are rate limited)
        small["staff"] = client.application.test_client()
        login = {"username": users["admin"].username, "password": PASSWORD}
        assert small["staff"].post("/account/login", data=login).status_code == 302
    staff = small["staff"]
    revision_count = len(_revisions(period))
    for turn, revision in enumerate(_revisions(period)):
        public = _public(client, period, revision.number)
        assert public["period"]["revision"] == revision.number
        assert public["period"]["status"] == revision.status
        frozen = services.ranking_records(period, revision)
        assert public["rows"] == [
            (r["code"], r["rank"], r["quality"], r["class"], r["under_appeal"]) for r in frozen
        ]
        # A center's PDF report says the same: one revision and center per example (a PDF
        # costs a render), chosen by the example, so the examples cover former revisions too.
        if turn == len(steps) % revision_count:
            code, rank, quality, *_ = public["rows"][
                sum(n for *_, n in steps) % len(public["rows"])
            ]
            ranked = sum(1 for row in public["rows"] if row[1] is not None)
            shown = f"{rank}/{ranked}" if rank is not None else "–"
            assert _pdf_figures(staff, period, code, revision.number) == (_vi(quality), shown)
    latest = _public(client, period)
    exported, notes = _export(period)
    assert [(code, rank, q) for code, rank, q, _state in exported] == [
        (code, rank, q) for code, rank, q, *_ in latest["rows"]
    ]
    assert f"công bố lần {latest['period']['revision']}" in notes[0]


def _inspection(period, center) -> Inspection | None:
    return db.session.scalar(
        sa.select(Inspection)
        .join(Inspection.assessment)
        .where(
            Inspection.assessment.has(center_id=center.id),
            Inspection.assessment.has(period_id=period.id),
        )
    )


#: The (center, day) rollups added so far (one row per center and day).
USED_DAYS: set = set()


@pytest.fixture
def published_once(small_period, users):
    """The small period published as provisional, with m = 0 (Việt Trì's Q = 90.00)."""
    USED_DAYS.clear()
    USED_DAYS.add(("A", today_local() - timedelta(days=1)))
    USED_DAYS.add(("C", today_local() - timedelta(days=1)))
    settings_ = services.settings_for(small_period["period"])
    services.update_settings(settings_, {**settings_.as_dict(), "prior_weight": 0}, actor=None)
    services.publish(small_period["period"], actor=users["admin"])
    db.session.commit()
    return small_period


def test_a_late_finalization_moves_the_board_only_through_a_revision(published_once, client, users):
    period = published_once["period"]
    first = _public(client, period)
    province = [r[:2] for r in first["rows"] if r[0] != "00004"]  # another province's
    assert province[:2] == [("07900", 1), ("07894", 2)]
    assert "Cập nhật lần" not in first["html"]
    # A snapshot changed behind the board's back (no recompute): the board does not move.
    db.session.execute(sa.update(ScoreSnapshot).values(rank=None))
    db.session.commit()
    assert _public(client, period)["rows"] == first["rows"]
    # A late finalization: the third center (S = 50) is verified at 99.90, Q = 84.93,
    # and passes Nông Trang (84.64).
    inspection = add_verified(period, published_once["C"], verified=99.9)
    inspection_result_changed.send(inspection, actor=users["inspector"], reason="finalized")
    db.session.commit()
    second = _public(client, period)
    assert second["period"]["revision"] == 2 and second["period"]["status"] == "provisional"
    assert second["period"]["revision_reason"] == "Một kết quả thẩm định được hoàn tất"
    assert "Cập nhật lần 2, ngày" in second["html"]
    assert "07901" in second["html"].split("Các lần cập nhật", 1)[1]  # the reason's center
    revision = _revisions(period)[0]
    assert ["07901", None, 2] in revision.moved and ["07894", 2, 3] in revision.moved
    # Revision 1 is still readable, unchanged, everywhere.
    assert _public(client, period, 1)["rows"] == first["rows"]
    # The center page reads the same revision as the board.
    page = client.get("/rankings/centers/07901?period=2026-Q1").get_data(as_text=True)
    rank = next(r[1] for r in second["rows"] if r[0] == "07901")
    assert f"<dd>{rank}</dd>" in page


def test_an_appeal_marks_the_center_on_the_board_its_page_and_the_api(
    published_once, client, users
):
    period, a = published_once["period"], published_once["A"]
    inspection = _inspection(period, a)
    inspection.status = "under_appeal"
    inspection_result_changed.send(inspection, actor=users["manager"], reason="appeal_filed")
    db.session.commit()
    public = _public(client, period)
    assert ("07900", 1, 90.0, "excellent", True) in public["rows"]
    assert public["period"]["revision"] == 2
    page = client.get("/rankings/centers/07900").get_data(as_text=True)
    assert "Trung tâm đã kiến nghị kết quả thẩm định" in page
    scores = validate(client.get("/api/v1/centers/07900/scores"), "/centers/{code}/scores")
    assert scores["scores"][0]["under_appeal"] is True
    assert scores["scores"][0]["state"] == "under_appeal"


def test_admin_and_cli_refusals_are_translated(small_period, client, auth, users, runner):
    period = small_period["period"]
    auth.login(users["admin"])
    client.post("/rankings/periods/2026-Q1/publish", data={"confirm": "yes", "status": "final"})
    page = client.get("/rankings/periods/2026-Q1/settings").get_data(as_text=True)
    assert "chỉ được công bố chính thức sau ngày cuối cùng của kỳ" in page
    assert services.published_periods() == []
    client.post(
        "/rankings/periods/2026-Q1/publish", data={"confirm": "yes", "status": "provisional"}
    )
    page = client.get("/rankings/?period=2026-Q1").get_data(as_text=True)
    assert "đã được công bố tạm tính" in page and "Kết quả tạm tính" in page
    result = runner.invoke(args=["scores", "publish", "--period", period.code, "--final"])
    assert result.exit_code != 0
    assert "chỉ được công bố chính thức sau ngày cuối cùng" in result.output
    result = runner.invoke(args=["scores", "publish", "--period", period.code])
    assert result.exit_code != 0 and "đã được công bố tạm tính" in result.output


def test_a_center_report_of_an_unknown_revision_is_not_found(published_once, auth, client, users):
    period = published_once["period"]
    code = published_once["A"].code
    auth.login(users["admin"])
    base = f"/documents/periods/{period.code}/centers/{code}.pdf"
    assert client.get(f"{base}?revision=1").status_code == 200
    assert client.get(f"{base}?revision=2").status_code == 404
    assert client.get(f"{base}?revision=abc").status_code == 404
