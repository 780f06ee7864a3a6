"""Reading and changing the operational settings.

Every value has a default in the app config (``DEFINITIONS`` names the config key); a
value an administrator saved in the database wins. Reads are cached for the current
request (or CLI command) in ``flask.g``: one small query per request, whatever the
number of reads. Changes flush, never commit, and are audited as ``old → new``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import sqlalchemy as sa
from flask import current_app, g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import services as audit
from ..centers.models import Center
from ..extensions import db
from ..shared.errors import PermissionDenied, PortalError
from ..shared.prepared import Prepared
from .models import OpeningHours, PublicHoliday, Setting


class SettingsError(PortalError):
    """A setting value is out of range or inconsistent."""


@dataclass(frozen=True)
class Definition:
    key: str
    config_key: str
    label: Any
    kind: type  # int or float
    minimum: float
    maximum: float
    help: Any = ""


DEFINITIONS: dict[str, Definition] = {
    d.key: d
    for d in (
        Definition(
            "case_due_working_days",
            "CASE_DUE_WORKING_DAYS",
            _l("Complaint due date (working days)"),
            int,
            1,
            60,
            _l("Weekends and the public holidays below are not counted."),
        ),
        Definition(
            "alert_dissatisfied_share",
            "ALERT_DISSATISFIED_SHARE",
            _l("Alert when the dissatisfied share is above (%)"),
            float,
            1,
            100,
        ),
        Definition(
            "alert_min_count",
            "ALERT_MIN_COUNT",
            _l("Minimum number of ratings for that alert"),
            int,
            1,
            10_000,
        ),
        Definition("alert_window_days", "ALERT_WINDOW_DAYS", _l("Alert window (days)"), int, 1, 90),
        Definition(
            "alert_silent_days",
            "ALERT_SILENT_DAYS",
            _l("Alert when a counter has had no rating for (days)"),
            int,
            1,
            90,
        ),
        Definition(
            "rating_min_n",
            "RATING_MIN_N",
            _l("Minimum number of ratings to show a share or a rank"),
            int,
            1,
            10_000,
        ),
        Definition(
            "dossier_gap_points",
            "DOSSIER_GAP_POINTS",
            _l(
                "Flag a typed dossier share that differs from the imported one "
                "by more than (points)"
            ),
            float,
            0,
            100,
            _l("Shown to the inspector beside outcome criteria such as the on-time share."),
        ),
        Definition(
            "officer_band_excellent",
            "OFFICER_BAND_EXCELLENT",
            _l("Officers: “excellent” above this S_adj"),
            float,
            0,
            100,
            _l(
                "Default after a province's civil-servant rubric (DOMAIN.md §3); unverified for "
                "this province: confirm against its own appraisal rules."
            ),
        ),
        Definition(
            "officer_band_good",
            "OFFICER_BAND_GOOD",
            _l("Officers: “good” above this S_adj"),
            float,
            0,
            100,
        ),
        Definition(
            "officer_band_done",
            "OFFICER_BAND_DONE",
            _l("Officers: “done” from this S_adj"),
            float,
            0,
            100,
        ),
    )
}

#: Shares are stored as fractions (0.3) and shown as percentages (30).
PERCENT_KEYS = frozenset({"alert_dissatisfied_share"})

#: The official public holidays of 2026 (Labour Code 2019, Art. 112; the Ministry of Home
#: Affairs notice for civil servants). The administrator confirms the list each year.
OFFICIAL_HOLIDAYS_2026: tuple[tuple[date, str], ...] = (
    (date(2026, 1, 1), "Tết Dương lịch"),
    (date(2026, 2, 16), "Tết Nguyên đán"),
    (date(2026, 2, 17), "Tết Nguyên đán"),
    (date(2026, 2, 18), "Tết Nguyên đán"),
    (date(2026, 2, 19), "Tết Nguyên đán"),
    (date(2026, 2, 20), "Tết Nguyên đán"),
    (date(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù)"),
    (date(2026, 4, 30), "Ngày Chiến thắng 30/4"),
    (date(2026, 5, 1), "Quốc tế Lao động 1/5"),
    (date(2026, 9, 1), "Quốc khánh"),
    (date(2026, 9, 2), "Quốc khánh"),
)


def _require_admin(actor) -> None:
    if getattr(actor, "role", None) != "admin" or not getattr(actor, "is_active", False):
        raise PermissionDenied(_("Only administrators can change the settings."))


# Scalar settings -------------------------------------------------------------------------


def _stored() -> dict[str, Any]:
    cached = g.get("_portal_settings")
    if cached is None:
        cached = {row.key: json.loads(row.value) for row in db.session.scalars(sa.select(Setting))}
        g._portal_settings = cached
    return cached


def forget() -> None:
    """Drop the values cached for this request (after a change, or in a long-running job)."""
    g.pop("_portal_settings", None)
    g.pop("_portal_holidays", None)
    g.pop("_portal_hours", None)


def get(key: str) -> Any:
    """The effective value: the stored one, else the config default."""
    definition = DEFINITIONS[key]
    stored = _stored()
    if key in stored:
        return definition.kind(stored[key])
    return definition.kind(current_app.config[definition.config_key])


def effective() -> dict[str, Any]:
    return {key: get(key) for key in DEFINITIONS}


def display_value(key: str, value: Any) -> Any:
    """The value as the settings page shows it (shares as percentages)."""
    if key in PERCENT_KEYS:
        percent = round(value * 100, 2)
        return int(percent) if percent == int(percent) else percent
    return value


def update_settings(*, actor, values: dict[str, Any]) -> dict[str, list]:
    """Store the values that differ from the effective ones; returns the audited changes.

    ``values`` are in display units (percentages for shares).
    """
    _require_admin(actor)
    changes: dict[str, list] = {}
    for key, shown in values.items():
        definition = DEFINITIONS[key]
        if shown is None:
            continue
        if not definition.minimum <= shown <= definition.maximum:
            raise SettingsError(
                _(
                    "%(label)s must be between %(min)s and %(max)s.",
                    label=definition.label,
                    min=definition.minimum,
                    max=definition.maximum,
                )
            )
        new = definition.kind(shown)
        if key in PERCENT_KEYS:
            new = round(float(shown) / 100, 4)
        old = get(key)
        if new == old:
            continue
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=json.dumps(new)))
        else:
            row.value = json.dumps(new)
        changes[key] = [old, new]
    bands = [
        changes[k][1] if k in changes else get(k)
        for k in ("officer_band_excellent", "officer_band_good", "officer_band_done")
    ]
    if not bands[0] >= bands[1] >= bands[2]:
        raise SettingsError(_("The officers' bands must decrease: excellent, good, done."))
    if changes:
        db.session.flush()
        audit.record(
            actor=actor, action="settings.updated", object_type="settings", summary=changes
        )
    forget()
    return changes


# Opening hours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Hours:
    """When a center is open: ``[opens, closes)`` in minutes after local midnight."""

    opens_minute: int
    closes_minute: int
    closed_weekdays: tuple[int, ...]
    source: str  # center | province | config

    def is_open(self, weekday: int, minute: int) -> bool:
        if weekday in self.closed_weekdays:
            return False
        return self.opens_minute <= minute < self.closes_minute

    @property
    def opens(self) -> time:
        return _as_time(self.opens_minute)

    @property
    def closes(self) -> time:
        return _as_time(self.closes_minute)

    def audit_state(self) -> dict:
        return {
            "opens": self.opens.strftime("%H:%M"),
            "closes": self.closes.strftime("%H:%M"),
            "closed_weekdays": list(self.closed_weekdays),
        }


def _as_time(minute: int) -> time:
    return time(23, 59) if minute >= 1440 else time(minute // 60, minute % 60)


def _from_row(row: OpeningHours, source: str) -> Hours:
    return Hours(row.opens_minute, row.closes_minute, row.weekdays, source)


def config_hours() -> Hours:
    start, end = current_app.config["RATING_OPENING_HOURS"]
    return Hours(
        round(start * 60),
        round(end * 60),
        tuple(current_app.config["RATING_CLOSED_WEEKDAYS"]),
        "config",
    )


#: The center's row and its province's row, if any: plain integers and a string, through
#: a prepared statement (this runs on every rating POST).
_HOURS_ROWS = Prepared(
    lambda _dialect: sa.select(
        OpeningHours.center_id,
        OpeningHours.opens_minute,
        OpeningHours.closes_minute,
        OpeningHours.closed_weekdays,
    ).where(
        sa.or_(
            OpeningHours.center_id == sa.bindparam("center_id"),
            OpeningHours.province_code == sa.bindparam("province_code"),
        )
    )
)


def _weekdays(text: str) -> tuple[int, ...]:
    return tuple(int(d) for d in text.split(",") if d.strip())


def hours_for(center_id: int, province_code: int) -> Hours:
    """The center's own hours, else its province's default, else the config.

    One indexed query per center and request (the rating POST's hot path).
    """
    cache = g.setdefault("_portal_hours", {})
    if center_id in cache:
        return cache[center_id]
    db.session.flush()  # hours set earlier in this transaction are seen
    rows = _HOURS_ROWS.execute(center_id=center_id, province_code=province_code).all()
    own = next((r for r in rows if r[0] == center_id), None)
    province = next((r for r in rows if r[0] is None), None)
    if own is not None:
        hours = Hours(own[1], own[2], _weekdays(own[3]), "center")
    elif province is not None:
        hours = Hours(province[1], province[2], _weekdays(province[3]), "province")
    else:
        hours = config_hours()
    cache[center_id] = hours
    return hours


def province_hours(province_code: int) -> Hours:
    row = db.session.scalar(
        sa.select(OpeningHours).where(OpeningHours.province_code == province_code)
    )
    return _from_row(row, "province") if row else config_hours()


def center_overrides(province_code: int | None = None) -> list[tuple[Center, Hours]]:
    stmt = (
        sa.select(Center, OpeningHours)
        .join(OpeningHours, OpeningHours.center_id == Center.id)
        .order_by(Center.province_code, Center.code)
    )
    if province_code is not None:
        stmt = stmt.where(Center.province_code == province_code)
    return [(c, _from_row(r, "center")) for c, r in db.session.execute(stmt).all()]


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def set_opening_hours(
    *,
    actor,
    opens: time,
    closes: time,
    closed_weekdays: list[int],
    center: Center | None = None,
    province_code: int | None = None,
) -> Hours:
    """Set the hours of ``center``, or the default of ``province_code``."""
    _require_admin(actor)
    if (center is None) == (province_code is None):
        raise SettingsError(_("Choose a center or a province."))
    opens_minute = _minute(opens)
    closes_minute = _minute(closes) if closes != time(23, 59) else 1440
    if opens_minute >= closes_minute:
        raise SettingsError(_("The closing time must be after the opening time."))
    weekdays = sorted({int(d) for d in closed_weekdays if 0 <= int(d) <= 6})
    if len(weekdays) == 7:
        raise SettingsError(_("A center cannot be closed every day of the week."))
    if center is not None:
        row = db.session.scalar(sa.select(OpeningHours).where(OpeningHours.center_id == center.id))
        before = hours_for(center.id, center.province_code).audit_state()
    else:
        row = db.session.scalar(
            sa.select(OpeningHours).where(OpeningHours.province_code == province_code)
        )
        before = province_hours(province_code).audit_state()
    if row is None:
        row = OpeningHours(
            center_id=center.id if center else None,
            province_code=province_code if center is None else None,
        )
        db.session.add(row)
    row.opens_minute = opens_minute
    row.closes_minute = closes_minute
    row.closed_weekdays = ",".join(str(d) for d in weekdays)
    db.session.flush()
    hours = _from_row(row, "center" if center else "province")
    changes = audit.diff(before, hours.audit_state())
    if changes:
        audit.record(
            actor=actor,
            action="settings.opening_hours",
            object_type="center" if center else "province",
            object_id=center.id if center else province_code,
            center_id=center.id if center else None,
            summary=changes,
        )
    forget()
    return hours


def clear_center_hours(center: Center, *, actor) -> None:
    """The center follows its province's default again."""
    _require_admin(actor)
    row = db.session.scalar(sa.select(OpeningHours).where(OpeningHours.center_id == center.id))
    if row is None:
        return
    before = _from_row(row, "center").audit_state()
    db.session.delete(row)
    db.session.flush()
    after = province_hours(center.province_code).audit_state()
    audit.record(
        actor=actor,
        action="settings.opening_hours_cleared",
        object_type="center",
        object_id=center.id,
        center_id=center.id,
        summary=audit.diff(before, after),
    )
    forget()


# Public holidays -------------------------------------------------------------------------


def holidays() -> frozenset[date]:
    """Every stored public holiday (a few dozen rows), cached for the request."""
    cached = g.get("_portal_holidays")
    if cached is None:
        cached = frozenset(db.session.scalars(sa.select(PublicHoliday.day)))
        g._portal_holidays = cached
    return cached


def list_holidays(year: int | None = None) -> list[PublicHoliday]:
    stmt = sa.select(PublicHoliday).order_by(PublicHoliday.day)
    if year is not None:
        stmt = stmt.where(
            PublicHoliday.day >= date(year, 1, 1), PublicHoliday.day <= date(year, 12, 31)
        )
    return list(db.session.scalars(stmt))


def add_holiday(*, actor, day: date, name: str) -> PublicHoliday:
    _require_admin(actor)
    name = " ".join((name or "").split())
    if not name:
        raise SettingsError(_("Give the holiday a name."))
    if db.session.get(PublicHoliday, day) is not None:
        raise SettingsError(_("This day is already in the list."))
    holiday = PublicHoliday(day=day, name=name[:120])
    db.session.add(holiday)
    db.session.flush()
    audit.record(
        actor=actor,
        action="settings.holiday_added",
        object_type="holiday",
        object_id=day.isoformat(),
        summary={"day": [None, day.isoformat()], "name": [None, holiday.name]},
    )
    forget()
    return holiday


def remove_holiday(*, actor, day: date) -> None:
    _require_admin(actor)
    holiday = db.session.get(PublicHoliday, day)
    if holiday is None:
        raise SettingsError(_("This day is not in the list."))
    audit.record(
        actor=actor,
        action="settings.holiday_removed",
        object_type="holiday",
        object_id=day.isoformat(),
        summary={"day": [day.isoformat(), None], "name": [holiday.name, None]},
    )
    db.session.delete(holiday)
    db.session.flush()
    forget()


def add_official_holidays(*, actor) -> int:
    """Add the official 2026 days that are missing; returns how many were added."""
    _require_admin(actor)
    added = 0
    for day, name in OFFICIAL_HOLIDAYS_2026:
        if db.session.get(PublicHoliday, day) is None:
            add_holiday(actor=actor, day=day, name=name)
            added += 1
    return added


def provinces() -> list[tuple[int, str]]:
    """The provinces that have centers in this database, with their names."""
    rows = db.session.execute(
        sa.select(Center.province_code, sa.func.min(Center.province_name))
        .group_by(Center.province_code)
        .order_by(Center.province_code)
    ).all()
    return [(int(code), name) for code, name in rows]
