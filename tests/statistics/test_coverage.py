"""Rating coverage and the "more ratings than dossiers" flag on a hand-made month, and the 766
index kept out of Q."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from portal.assessments.services import today_local
from portal.centers.models import Counter
from portal.extensions import db
from portal.rankings import coverage
from portal.rankings import services as score_services
from portal.rankings.models import ScoreSnapshot
from portal.statistics import importers, services
from tests.rankings.conftest import add_rollup


def _last_month() -> date:
    return (today_local().replace(day=1) - timedelta(days=1)).replace(day=1)


def _counters(center):
    return db.session.scalars(
        sa.select(Counter).where(Counter.center_id == center.id).order_by(Counter.number)
    ).all()


def _import(center, month, lines):
    text = "Mã trung tâm;Quầy;Tháng;Tiếp nhận;Đúng hạn;Trễ hạn;Trả lại;Trực tuyến\n" + "".join(
        f"{center.code};{n};{month:%m/%Y};{r};{o};{lt};{ret};{on}\n"
        for n, r, o, lt, ret, on in lines
    )
    rows = importers.read_dossier_csv(text.encode(), today=today_local())
    services.import_dossiers(rows, actor=None, source="tay.csv")
    db.session.commit()


def test_coverage_and_the_flag_on_a_hand_made_month(app, center):
    month = _last_month()
    one, two = _counters(center)
    # Counter 1: 100 received, 90 settled, 30 ratings → coverage 1/3, no flag.
    # Counter 2: 10 received, 8 settled, 12 ratings → more ratings than dossiers.
    _import(center, month, [(1, 100, 80, 10, 5, 40), (2, 10, 8, 0, 1, 5)])
    day = month + timedelta(days=9)
    add_rollup(center, (0, 0, 0, 10, 20), day=day, scope="counter", key_id=one.id)
    add_rollup(center, (0, 0, 2, 0, 10), day=day, scope="counter", key_id=two.id)
    add_rollup(center, (0, 0, 2, 10, 30), day=day)  # the center's own rollup: 42 ratings
    add_rollup(center, (0, 0, 0, 0, 99), day=day - timedelta(days=40))  # another month
    db.session.commit()
    (m,) = coverage.center_months(center)
    assert (m.figures.received, m.figures.settled, m.figures.ratings) == (110, 98, 42)
    assert round(m.figures.coverage, 4) == round(42 / 98, 4)
    assert round(m.figures.online_share, 4) == round(45 / 110, 4)
    by_number = {c.counter.number: c.figures for c in m.counters}
    assert round(by_number[1].coverage, 4) == round(30 / 90, 4) and not by_number[1].exceeds
    assert by_number[2].ratings == 12 and by_number[2].exceeds
    assert [c.counter.number for c in m.flagged] == [2]
    (row,) = coverage.overview(sa.true(), month)
    assert row.flagged_counters == 1 and row.figures.ratings == 42


def test_the_766_index_never_changes_q(app, small_period):
    period = small_period["period"]
    score_services.recompute_snapshots(period, actor=None)
    db.session.commit()
    before = {s.center_id: s.quality for s in db.session.scalars(sa.select(ScoreSnapshot))}
    text = (
        "Mã trung tâm;Tháng;Tổng điểm\n"
        f"{small_period['A'].code};{_last_month():%m/%Y};12\n"
        f"{small_period['B'].code};{_last_month():%m/%Y};99,5\n"
    )
    services.import_index(
        importers.read_index_csv(text.encode(), today=today_local()), actor=None, source="766.csv"
    )
    db.session.commit()
    score_services.recompute_snapshots(period, actor=None)
    db.session.commit()
    db.session.expire_all()
    after = {s.center_id: s.quality for s in db.session.scalars(sa.select(ScoreSnapshot))}
    assert after == before and before[small_period["A"].id] is not None
