"""A period's scoring settings: the documented defaults, validation, audited changes.

The settings lock once the period is published (see ``publication``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from ..assessments.models import AssessmentPeriod
from ..audit import services as audit
from ..database import may_write
from ..extensions import db
from ..scoring import rules
from ..shared.timeutils import now_utc
from .errors import RankingsError, SettingsLocked
from .models import ScoringSettings


def default_settings(**extra) -> ScoringSettings:
    """The documented defaults, not stored (a period's own are made by :func:`settings_for`)."""
    return ScoringSettings(
        compliance_weight=rules.COMPLIANCE_WEIGHT,
        satisfaction_weight=rules.SATISFACTION_WEIGHT,
        prior_weight=rules.DEFAULT_MIN_N,
        min_n=current_app.config.get("RATING_MIN_N", rules.DEFAULT_MIN_N),
        standardized_threshold=rules.STANDARDIZED_THRESHOLD,
        band_excellent=rules.CLASS_THRESHOLDS[0][0],
        band_good=rules.CLASS_THRESHOLDS[1][0],
        band_fair=rules.CLASS_THRESHOLDS[2][0],
        band_average=rules.CLASS_THRESHOLDS[3][0],
        appeal_window_days=current_app.config.get("APPEAL_WINDOW_DAYS", 10),
        class_cap=str(rules.DEFAULT_CLASS_CAP),
        **extra,
    )


def settings_for(period: AssessmentPeriod) -> ScoringSettings:
    """The period's settings, stored with the documented defaults on first use by a request
    that may write. A page (GET) gets the same defaults unstored: it reads only."""
    settings = db.session.scalar(
        sa.select(ScoringSettings).where(ScoringSettings.period_id == period.id)
    )
    if settings is None and not may_write():
        return default_settings(period_id=period.id)
    if settings is None:
        settings = default_settings(period=period)
        db.session.add(settings)
        db.session.flush()
    return settings


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise RankingsError(_("Enter numbers only.")) from exc
    if not number.is_finite():
        raise RankingsError(_("Enter numbers only."))
    return number


def validate_settings(values: Mapping) -> dict:
    """Clean values for :class:`ScoringSettings`, or a :class:`RankingsError` saying why not."""
    cw, sw = _decimal(values["compliance_weight"]), _decimal(values["satisfaction_weight"])
    if cw < 0 or sw < 0 or cw + sw != 1:
        raise RankingsError(_("The two weights of Q must be between 0 and 1 and sum to 1."))
    ints = {}
    for name in ("prior_weight", "min_n", "appeal_window_days"):
        number = _decimal(values[name])
        if number != number.to_integral_value() or number < 0 or number > 100000:
            raise RankingsError(_("m, the minimum n and the appeal window are whole numbers."))
        ints[name] = int(number)
    if ints["min_n"] < 1:
        raise RankingsError(_("The minimum number of ratings is at least 1."))
    if ints["appeal_window_days"] > 90:
        raise RankingsError(_("The appeal window is at most 90 days."))
    bands = [_decimal(values[n]) for n in ("band_excellent", "band_good", "band_fair")]
    bands.append(_decimal(values["band_average"]))
    threshold = _decimal(values["standardized_threshold"])
    if not all(0 <= b <= 100 for b in [*bands, threshold]):
        raise RankingsError(_("Thresholds are on 0–100."))
    if not all(a > b for a, b in zip(bands, bands[1:], strict=False)):
        raise RankingsError(_("Class thresholds must decrease from Excellent to Average."))
    cap = str(values.get("class_cap", rules.DEFAULT_CLASS_CAP) or "")
    if cap not in ("", *(str(c) for c in rules.CLASS_ORDER[1:])):
        raise RankingsError(_("Choose the best class of a center that is not standardized."))
    return {
        "compliance_weight": float(cw),
        "satisfaction_weight": float(sw),
        **ints,
        "standardized_threshold": float(threshold),
        "band_excellent": float(bands[0]),
        "band_good": float(bands[1]),
        "band_fair": float(bands[2]),
        "band_average": float(bands[3]),
        "class_cap": cap,
    }


def update_settings(settings: ScoringSettings, values: Mapping, *, actor) -> dict:
    """Change the settings of an unpublished period; every change audited (old → new)."""
    if settings.is_published:
        raise SettingsLocked(_("The period is published: its settings are locked."))
    clean = validate_settings(values)
    changes = audit.diff(settings.as_dict(), clean)
    if not changes:
        return {}
    for name, value in clean.items():
        setattr(settings, name, value)
    settings.updated_at = now_utc()
    db.session.flush()
    audit.record(
        actor=actor,
        action="scores.settings",
        object_type="period",
        object_id=settings.period.code,
        summary=changes,
    )
    return changes
