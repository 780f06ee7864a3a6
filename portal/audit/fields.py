"""Summary fields of the portal's own audit entries: their labels and how their values read.

Dates, yes/no, numbers and lists need no entry here (:func:`portal.audit.wording.format_value`
handles them); this holds the fields whose values are codes, ids or shares.
"""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .wording import (
    ROLE_LABELS,
    Names,
    register_fields,
    register_plain_list_fields,
    register_value_format,
    register_value_words,
)

_WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)

register_fields(
    {
        "username": _l("Username"),
        "full_name": _l("Full name"),
        "email": _l("E-mail"),
        "role": _l("Role"),
        "center_id": _l("Center"),
        "officer_id": _l("Officer record"),
        "counter_id": _l("Counter"),
        "scope_province_code": _l("Province of the scope"),
        "scope_center_ids": _l("Centers of the scope"),
        "is_active": _l("Active"),
        "reason": _l("Reason"),
        "via": _l("Through"),
        "name": _l("Name"),
        "address": _l("Address"),
        "phone": _l("Phone"),
        "opening_hours": _l("Opening hours"),
        "extra_sites": _l("Other reception sites"),
        "number": _l("Number"),
        "field": _l("Field"),
        "position": _l("Position"),
        "status": _l("Status"),
        "answer": _l("Answer"),
        "comment": _l("Comment"),
        "comment_hidden": _l("Comment hidden"),
        "flags": _l("Flags"),
        "by": _l("By"),
        "version": _l("Version"),
        "created": _l("Created"),
        "updated": _l("Updated"),
        "code": _l("Code"),
        "kind": _l("Kind"),
        "opens_on": _l("Opens on"),
        "closes_on": _l("Closes on"),
        "period": _l("Period"),
        "revision": _l("Revision"),
        "changes": _l("Answers"),
        "self_score": _l("Self-assessed score"),
        "gates_met": _l("Gate criteria met"),
        "criterion": _l("Criterion"),
        "assessment_id": _l("Self-assessment"),
        "standard": _l("Standard"),
        "criteria": _l("Criteria"),
        "areas": _l("Areas"),
        "case_due_working_days": _l("Complaint due date (working days)"),
        "alert_dissatisfied_share": _l("Dissatisfied share for an alert"),
        "alert_min_count": _l("Minimum ratings for an alert"),
        "alert_window_days": _l("Alert window (days)"),
        "alert_silent_days": _l("Days without ratings for an alert"),
        "rating_min_n": _l("Minimum number of ratings"),
        "dossier_gap_points": _l("Tolerance between typed and imported dossier shares"),
        "opens": _l("Opens at"),
        "closes": _l("Closes at"),
        "closed_weekdays": _l("Closed on"),
        "day": _l("Day"),
        "accounts_created": _l("Accounts created"),
        "centers_populated": _l("Centers filled with demo data"),
        "ratings_created": _l("Ratings created"),
        "standard_version_id": _l("Standard version"),
        "checksum": _l("Checksum"),
        "criterion_id": _l("Criterion"),
        "size": _l("Size (bytes)"),
        "sha256": _l("Checksum"),
        "phash": _l("Image fingerprint"),
        "choice": _l("Answer"),
        "note": _l("Note"),
        "not_applicable": _l("Not applicable"),
    }
)
register_plain_list_fields({"closed_weekdays", "scope_center_ids"})


def _role(value, _names) -> str:
    label = ROLE_LABELS.get(str(value))
    return str(label) if label is not None else str(value)


def _weekdays(value, _names) -> str:
    days = value if isinstance(value, list | tuple) else [value]
    return ", ".join(str(_WEEKDAYS[int(d)]) for d in days if 0 <= int(d) <= 6) or _("none")


def _center(value, names: Names) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_center(v, names) for v in value) or _("(empty)")
    return names.centers.get(int(value), f"#{value}")


def _officer(value, names: Names) -> str:
    return names.officers.get(int(value), f"#{value}")


def _counter(value, names: Names) -> str:
    return names.counters.get(int(value), f"#{value}")


def _percent(value, _names) -> str:
    return format_decimal(float(value) * 100, format="#,##0.##") + "%"


_WORDS = {
    "unknown username": _l("unknown username"),
    "locked": _l("account locked"),
    "wrong password": _l("wrong password"),
    "disabled": _l("account disabled"),
    "wrong password, locked": _l("wrong password, account now locked"),
    "disabled, locked": _l("account disabled, now locked"),
    "open": _l("waiting for an answer"),
    "answered": _l("answered"),
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "cli": _l("the command line"),
}


def _words(value, _names) -> str:
    word = _WORDS.get(str(value))
    return str(word) if word is not None else str(value)


# Answers and verdicts as the inspection feature stores them (portal/inspections/steps.py),
# and the answer codes of a self-assessment.
register_value_words(
    {
        "met": _l("met"),
        "partly met": _l("partly met"),
        "partial": _l("partly met"),
        "not met": _l("not met"),
        "not_met": _l("not met"),
        "yes": _l("yes"),
        "no": _l("no"),
        "not answered": _l("not answered"),
        "not applicable": _l("not applicable"),
        "none": _l("none"),
        "no verdict": _l("no verdict"),
        "accepted": _l("accepted"),
        "adjusted": _l("adjusted"),
        "correction requested": _l("correction requested"),
    }
)

register_value_format("reason", _words)
register_value_format("status", _words)
register_value_format("via", _words)
register_value_format("role", _role)
register_value_format("closed_weekdays", _weekdays)
register_value_format("center_id", _center)
register_value_format("scope_center_ids", _center)
register_value_format("officer_id", _officer)
register_value_format("counter_id", _counter)
register_value_format("alert_dissatisfied_share", _percent)

# Fields written by the inspection and scoring features.
register_fields(
    {
        "center": _l("Center"),
        "changed": _l("Changed"),
        "change": _l("Change"),
        "description": _l("Description"),
        "findings": _l("Findings"),
        "gap": _l("Gap (self − verified)"),
        "rejected": _l("Rejected"),
        "standardized": _l("Standardized"),
        "text": _l("Text"),
        "upheld": _l("Upheld"),
        "verdict": _l("Verdict"),
        "verified_score": _l("Verified compliance"),
        "visited_on": _l("Visit date"),
        "appeal_until": _l("Appeal until"),
        "file": _l("File"),
        "due_on": _l("Due date"),
        "summary": _l("Summary"),
        "center_answer": _l("Center's answer"),
    }
)
