"""The time checks of a queued rating: implausible times are held, plausible ones are not."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from portal.kiosk import services

NOW = datetime(2026, 12, 7, 3, 0, 0)  # 10:00 in Hà Nội
ENROLLED = NOW - timedelta(days=30)


def flags(moment):
    return services.time_flags(moment, now=NOW, enrolled_at=ENROLLED)


def test_an_ordinary_offline_rating_is_not_flagged(app):
    assert flags(NOW - timedelta(hours=5)) == []
    assert flags(NOW - timedelta(days=6)) == []


def test_a_clock_ahead_of_the_server_is_held_beyond_the_slack(app):
    assert flags(NOW + timedelta(seconds=60)) == []
    assert flags(NOW + timedelta(minutes=10)) == ["kiosk_future"]


def test_a_rating_dated_before_enrolment_is_held(app):
    app.config["KIOSK_MAX_AGE_DAYS"] = 60
    assert flags(ENROLLED - timedelta(hours=1)) == ["kiosk_before_enrolment"]


def test_a_rating_older_than_the_allowed_days_is_held(app):
    app.config["KIOSK_MAX_AGE_DAYS"] = 1
    assert flags(NOW - timedelta(hours=30)) == ["kiosk_stale"]


def test_a_rating_too_close_to_another_of_the_tablet_is_a_burst(app):
    assert flags(NOW - timedelta(hours=1)) == []
    moment = NOW - timedelta(hours=1)
    held = services.time_flags(moment, now=NOW, enrolled_at=ENROLLED, too_close=True)
    assert held == ["kiosk_burst"]


@pytest.mark.parametrize(("gap", "held"), [(1.0, True), (3.9, True), (4.0, False), (60.0, False)])
def test_too_close_means_within_the_minimum_gap_before_or_after(app, tablet, gap, held):
    from portal.extensions import db
    from portal.kiosk.models import KioskItem

    moment = NOW - timedelta(hours=1)
    db.session.add(
        KioskItem(device_id=tablet.device_id, item_id="a" * 32, device_time=moment, received_at=NOW)
    )
    db.session.flush()
    later = moment + timedelta(seconds=gap)
    earlier = moment - timedelta(seconds=gap)
    assert services.too_close(tablet.device_id, "b" * 32, later) is held
    assert services.too_close(tablet.device_id, "b" * 32, earlier) is held
    assert services.too_close(tablet.device_id, "a" * 32, moment) is False  # not itself


def test_opening_hours_are_read_at_the_device_time(app, center):
    app.config["RATING_OPENING_HOURS"] = (7.0, 17.0)
    app.config["RATING_CLOSED_WEEKDAYS"] = ()
    # 03:00 UTC is 10:00 local, 14:00 UTC is 21:00 local.
    assert not services.off_hours(center.id, center.province_code, NOW)
    assert services.off_hours(center.id, center.province_code, NOW.replace(hour=14))


def test_the_volume_limit_follows_the_counters_dossiers(app, center, count_rows):
    from portal.extensions import db
    from portal.statistics.models import DossierStat

    counter = center.counters[0]
    day = NOW.date()
    app.config["KIOSK_VOLUME_FLOOR"] = 10
    assert services.daily_volume_limit(counter.id, center.id, day) == 10
    db.session.add(
        DossierStat(
            center_id=center.id,
            counter_id=counter.id,
            month=day.replace(day=1),
            received=2200,
            on_time=2000,
            late=100,
            returned=100,
            online=0,
            source="test",
        )
    )
    db.session.flush()
    # 2,200 dossiers a month = 100 a working day; three times that.
    assert services.daily_volume_limit(counter.id, center.id, day) == 300
