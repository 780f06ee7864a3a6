"""The settings page: values stored in the database (config as defaults), audited, and
used by complaint due dates, the off-hours flag, alerts and the minimum n."""

from __future__ import annotations

import json
from datetime import date, datetime, time

import pytest
import sqlalchemy as sa

from portal.audit.models import AuditEntry
from portal.complaints.models import Case
from portal.complaints.services import add_working_days
from portal.extensions import db
from portal.rankings.alerts import compute_alerts
from portal.ratings import services as ratings
from portal.ratings.models import Channel
from portal.settings import services as settings
from portal.settings.models import PublicHoliday, Setting
from portal.shared.timeutils import DISPLAY_TZ

FORM = {
    "case_due_working_days": "5",
    "alert_dissatisfied_share": "30",
    "alert_min_count": "10",
    "alert_window_days": "7",
    "alert_silent_days": "7",
    "rating_min_n": "30",
    "dossier_gap_points": "10",
}


def _entries(action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def _utc(local: datetime) -> datetime:
    return local.replace(tzinfo=DISPLAY_TZ).astimezone(tz=None).replace(tzinfo=None)


def _naive_utc(y, m, d, hh, mm) -> datetime:
    from datetime import UTC

    return datetime(y, m, d, hh, mm, tzinfo=DISPLAY_TZ).astimezone(UTC).replace(tzinfo=None)


def test_page_shows_config_defaults_until_an_admin_saves(client, auth, users, app):
    auth.login(users["admin"])
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="case_due_working_days" type="number" value="5"' in html or (
        'value="5"' in html and "case_due_working_days" in html
    )
    assert 'value="30"' in html  # the dissatisfied share as a percentage
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Setting)) == 0


def test_admin_changes_settings_and_the_change_is_audited(client, auth, users):
    auth.login(users["admin"])
    response = client.post(
        "/admin/settings",
        data={**FORM, "case_due_working_days": "7", "alert_dissatisfied_share": "25"},
    )
    assert response.status_code == 302
    assert settings.get("case_due_working_days") == 7
    assert settings.get("alert_dissatisfied_share") == 0.25
    (entry,) = _entries("settings.updated")
    assert json.loads(entry.summary) == {
        "alert_dissatisfied_share": [0.3, 0.25],
        "case_due_working_days": [5, 7],
    }
    # Saving the same values again changes and records nothing.
    client.post(
        "/admin/settings",
        data={**FORM, "case_due_working_days": "7", "alert_dissatisfied_share": "25"},
    )
    assert len(_entries("settings.updated")) == 1


@pytest.mark.parametrize("bad", ["0", "61", "abc", ""])
def test_out_of_range_values_are_refused_in_vietnamese(client, auth, users, bad):
    auth.login(users["admin"])
    response = client.post("/admin/settings", data={**FORM, "case_due_working_days": bad})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="errors"' in html
    assert "This field" not in html and "Not a valid" not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Setting)) == 0


def test_non_admin_cannot_change_settings(client, auth, users):
    auth.login(users["inspector"])
    response = client.post("/admin/settings", data={**FORM, "case_due_working_days": "9"})
    assert response.status_code == 403
    assert settings.get("case_due_working_days") == 5


# Complaint due dates ----------------------------------------------------------------------


def test_due_dates_skip_weekends_and_holidays():
    tet = {date(2026, 2, d) for d in range(16, 21)}
    # Friday 13/02/2026 + 1 working day: Tết week is skipped → Monday 23/02.
    assert add_working_days(date(2026, 2, 13), 1, tet) == date(2026, 2, 23)
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 16)
    # 29/04 (Wed) + 2: 30/04 and 01/05 are holidays, then the weekend → 05/05.
    holidays = {date(2026, 4, 30), date(2026, 5, 1)}
    assert add_working_days(date(2026, 4, 29), 2, holidays) == date(2026, 5, 5)


def test_a_new_case_uses_the_stored_due_days_and_holidays(app, users, center):
    admin = users["admin"]
    settings.update_settings(actor=admin, values={"case_due_working_days": 2})
    db.session.commit()
    target = ratings.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    rating = ratings.submit_rating(
        target, ratings.RatingInput(score=1, comment="Chờ lâu"), nonce_key="due1"
    )
    db.session.commit()
    # Make the next working day after the rating a holiday: the due date moves by one.
    next_day = add_working_days(rating.day, 1)
    settings.add_holiday(actor=admin, day=next_day, name="Nghỉ bù")
    db.session.commit()
    rating2 = ratings.submit_rating(
        target, ratings.RatingInput(score=1, comment="Lại chờ lâu"), nonce_key="due2"
    )
    db.session.commit()
    cases = {c.rating_id: c for c in db.session.scalars(sa.select(Case))}
    assert cases[rating.id].due_on == add_working_days(rating.day, 2)
    assert cases[rating2.id].due_on == add_working_days(rating2.day, 2, {next_day})
    assert cases[rating2.id].due_on > cases[rating.id].due_on


def test_admin_adds_and_removes_holidays_with_audit(client, auth, users):
    auth.login(users["admin"])
    response = client.post(
        "/admin/settings/holidays", data={"day": "2026-09-03", "name": "Nghỉ bù"}
    )
    assert response.status_code == 302
    assert db.session.get(PublicHoliday, date(2026, 9, 3)).name == "Nghỉ bù"
    again = client.post("/admin/settings/holidays", data={"day": "2026-09-03", "name": "X"})
    assert "Ngày này đã có trong danh sách." in again.get_data(as_text=True)
    client.post("/admin/settings/holidays/2026-09-03/remove")
    db.session.expire_all()
    assert db.session.get(PublicHoliday, date(2026, 9, 3)) is None
    assert [
        e.action
        for e in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.object_type == "holiday")
        )
    ] == [
        "settings.holiday_added",
        "settings.holiday_removed",
    ]


def test_official_holidays_are_added_once_and_the_page_asks_to_confirm(client, auth, users):
    auth.login(users["admin"])
    client.post("/admin/settings/holidays/official")
    client.post("/admin/settings/holidays/official")
    days = db.session.scalars(sa.select(PublicHoliday.day)).all()
    assert len(days) == len(settings.OFFICIAL_HOLIDAYS_2026) == 11
    assert {date(2026, 1, 1), date(2026, 2, 17), date(2026, 4, 30), date(2026, 9, 2)} <= set(days)
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "17/02/2026" in html and "Tết Nguyên đán" in html
    assert "xác nhận" in html  # the list is the administrator's to confirm each year


# Opening hours and the off-hours flag ------------------------------------------------------


def _flags_at(center, local: datetime) -> list[str]:
    target = ratings.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    return ratings.anomaly_flags(target, _naive_utc(*local.timetuple()[:5]))


def test_off_hours_flag_follows_center_then_province_then_config(app, users, center, other_center):
    admin = users["admin"]
    tuesday_evening = datetime(2026, 11, 24, 18, 30)
    saturday_morning = datetime(2026, 11, 28, 9, 0)
    # The test config opens every hour: nothing is off hours.
    assert "off_hours" not in _flags_at(center, tuesday_evening)
    settings.set_opening_hours(
        actor=admin, province_code=25, opens=time(7, 0), closes=time(17, 0), closed_weekdays=[5, 6]
    )
    db.session.commit()
    assert "off_hours" in _flags_at(center, tuesday_evening)
    assert "off_hours" in _flags_at(other_center, saturday_morning)
    settings.set_opening_hours(
        actor=admin,
        center=center,
        opens=time(7, 30),
        closes=time(19, 0),
        closed_weekdays=[6],
    )
    db.session.commit()
    assert "off_hours" not in _flags_at(center, tuesday_evening)  # its own hours
    assert "off_hours" not in _flags_at(center, saturday_morning)
    assert "off_hours" in _flags_at(other_center, tuesday_evening)  # the province default
    assert "off_hours" in _flags_at(center, datetime(2026, 11, 24, 7, 15))
    entries = _entries("settings.opening_hours")
    assert json.loads(entries[-1].summary)["closes"] == ["17:00", "19:00"]
    assert entries[-1].center_id == center.id


def test_admin_sets_center_hours_by_name_without_diacritics(client, auth, users, center):
    auth.login(users["admin"])
    response = client.post(
        "/admin/settings/opening-hours",
        data={
            "center": "phuong viet tri",
            "opens": "07:30",
            "closes": "17:00",
            "closed_weekdays": ["5", "6"],
        },
    )
    assert response.status_code == 302
    hours = settings.hours_for(center.id, center.province_code)
    assert (hours.source, hours.opens, hours.closes, hours.closed_weekdays) == (
        "center",
        time(7, 30),
        time(17, 0),
        (5, 6),
    )
    html = client.get("/admin/settings").get_data(as_text=True)
    assert "07:30–17:00" in html
    client.post("/admin/settings/opening-hours/07900/clear")
    settings.forget()  # the test body's app context cached the hours read above
    assert settings.hours_for(center.id, center.province_code).source == "config"


def test_closing_before_opening_is_refused(client, auth, users, center):
    auth.login(users["admin"])
    response = client.post(
        "/admin/settings/opening-hours",
        data={"center": "07900", "opens": "17:00", "closes": "07:00"},
    )
    assert "Giờ đóng cửa phải sau giờ mở cửa." in response.get_data(as_text=True)
    assert settings.hours_for(center.id, center.province_code).source == "config"


# Alerts and minimum n ----------------------------------------------------------------------


def test_alert_thresholds_come_from_the_settings(app, users, center):
    app.config.update(ALERT_MIN_COUNT=10, ALERT_SILENT_DAYS=365)
    target = ratings.Target(channel=Channel.COUNTER_QR, center=center, counter=center.counters[0])
    for i in range(4):
        ratings.submit_rating(target, ratings.RatingInput(score=1), nonce_key=f"a{i}")
    db.session.commit()
    today = ratings.local_day(ratings.now_utc())
    assert not any(a.kind == "dissatisfied" for a in compute_alerts(sa.true(), today))
    settings.update_settings(actor=users["admin"], values={"alert_min_count": 4})
    db.session.commit()
    assert any(a.kind == "dissatisfied" for a in compute_alerts(sa.true(), today))


def test_minimum_n_falls_back_to_config_then_uses_the_stored_value(app, users):
    app.config["RATING_MIN_N"] = 12
    assert settings.get("rating_min_n") == 12
    settings.update_settings(actor=users["admin"], values={"rating_min_n": 50})
    db.session.commit()
    app.config["RATING_MIN_N"] = 13
    assert settings.get("rating_min_n") == 50
