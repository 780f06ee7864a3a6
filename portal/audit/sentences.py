"""The audit log in words: one place that turns an action and its summary into a sentence.

Each action has a translated name (for the filter) and a sentence with the placeholders
``%(actor)s`` (who) and ``%(object)s`` (the object's name or number); the center, when the
entry has one, is added by :func:`describe`. Field names get translated labels and values
are formatted (dates dd/mm/yyyy, yes/no, roles, weekdays, percentages, names of centers).

Features add their own actions at import time, next to the code that records them::

    from ..audit.sentences import register_action, register_fields

    register_action(
        "inspection.verdict",
        name=_l("Inspection verdict"),
        sentence=_l("%(actor)s recorded the verdict of inspection %(object)s"),
    )
    register_fields({"verdict": _l("Verdict")})

An action nobody registered still reads as a sentence (:data:`GENERIC_SENTENCE`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

REDACTED = "changed"


@dataclass(frozen=True)
class ActionText:
    name: Any
    sentence: Any


@dataclass
class Names:
    """Names the views looked up for one page of entries (ids → words)."""

    centers: dict[int, str] = field(default_factory=dict)
    users: dict[int, str] = field(default_factory=dict)
    officers: dict[int, str] = field(default_factory=dict)
    counters: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    label: str
    old: str | None  # None: the field was set (no old value) or only its new value is known
    new: str | None  # None: the field was removed
    personal: bool = False


ValueFormat = Callable[[Any, Names], str]

_ACTIONS: dict[str, ActionText] = {}
_FIELD_LABELS: dict[str, Any] = {}
_VALUE_FORMATS: dict[str, ValueFormat] = {}
_OBJECT_TYPES: dict[str, Any] = {}

GENERIC_SENTENCE = _l("%(actor)s performed “%(action)s” on %(object)s")


def register_action(action: str, *, name, sentence) -> None:
    """Give ``action`` a translated name and sentence (``%(actor)s``, ``%(object)s``)."""
    _ACTIONS[action] = ActionText(name, sentence)


def register_fields(labels: Mapping[str, Any]) -> None:
    """Translated labels of summary fields (``{"due_on": _l("Due date")}``)."""
    _FIELD_LABELS.update(labels)


def register_value_format(field_name: str, fmt: ValueFormat) -> None:
    _VALUE_FORMATS[field_name] = fmt


def register_object_type(object_type: str, label) -> None:
    """How an object with no looked-up name is called: ``label`` + its number."""
    _OBJECT_TYPES[object_type] = label


def action_name(action: str) -> str:
    text = _ACTIONS.get(action)
    return str(text.name) if text else action


def action_choices() -> list[tuple[str, str]]:
    """``(action, translated name)`` of every known action, by name."""
    return sorted(((a, str(t.name)) for a, t in _ACTIONS.items()), key=lambda p: p[1].lower())


# Values ------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def format_value(field_name: str, value: Any, names: Names | None = None) -> str:
    names = names or Names()
    if field_name in _VALUE_FORMATS and value is not None:
        try:
            return _VALUE_FORMATS[field_name](value, names)
        except (TypeError, ValueError, IndexError):
            return str(value)  # a shape this formatter does not know: show it as it is
    if value is None or value == "":
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return format_decimal(value)
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return format_date(date.fromisoformat(value), "dd/MM/yyyy")
        if _ISO_DATETIME.match(value):
            try:
                return format_datetime(datetime.fromisoformat(value), "dd/MM/yyyy HH:mm")
            except ValueError:
                return value
        return value
    if isinstance(value, list | tuple):
        return ", ".join(format_value(field_name, v, names) for v in value) or _("(empty)")
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(k)}: "
            + (_pair_text(k, v, names) if _is_pair(k, v) else format_value(k, v, names))
            for k, v in value.items()
        )
    return str(value)


def field_label(field_name: str) -> str:
    label = _FIELD_LABELS.get(field_name)
    return str(label) if label is not None else field_name.replace("_", " ")


def changes(summary: Mapping[str, Any], names: Names | None = None) -> list[Change]:
    """The summary as labelled ``old → new`` lines, personal values hidden."""
    out = []
    for key, value in summary.items():
        label = field_label(key)
        if value == REDACTED:
            out.append(Change(label, None, None, personal=True))
        elif _is_pair(key, value):
            old, new = value
            out.append(
                Change(
                    label,
                    None if old is None else format_value(key, old, names),
                    None if new is None else format_value(key, new, names),
                )
            )
        else:
            out.append(Change(label, None, format_value(key, value, names)))
    return out


#: Fields whose value is a list, so that a two-item list is not read as ``[old, new]``.
_PLAIN_LIST_FIELDS: set[str] = set()


def _is_pair(key: str, value: Any) -> bool:
    """``[old, new]`` as :func:`portal.audit.services.diff` writes it."""
    if not isinstance(value, list) or len(value) != 2:
        return False
    if key in _PLAIN_LIST_FIELDS:
        return all(v is None or isinstance(v, list) for v in value)
    return True


def _pair_text(key: str, value: list, names: Names) -> str:
    old, new = value
    if old is None:
        return format_value(key, new, names)
    return f"{format_value(key, old, names)} → {format_value(key, new, names)}"


# Sentences ---------------------------------------------------------------------------------


def actor_name(actor_label: str) -> str:
    """``"admin (admin)"`` → ``"admin (Administrator)"``; ``"system"`` → the system."""
    if actor_label == "system":
        return _("The system")
    match = re.match(r"^(.*) \((\w+)\)$", actor_label)
    if match and match.group(2) in _ROLE_LABELS:
        return f"{match.group(1)} ({_ROLE_LABELS[match.group(2)]})"
    return actor_label


def is_known(action: str) -> bool:
    return action in _ACTIONS


def object_name(
    object_type: str, object_id: str | None, looked_up: str | None = None, *, with_type: bool = True
) -> str:
    """The object's looked-up name, else its number (with its kind when ``with_type``:
    the registered sentences already name the kind)."""
    if looked_up:
        return looked_up
    if not with_type and object_id:
        return f"#{object_id}"
    label = _OBJECT_TYPES.get(object_type)
    kind = str(label) if label is not None else object_type.replace("_", " ")
    return f"{kind} #{object_id}" if object_id else kind


def describe(action: str, *, actor: str, obj: str, center: str | None = None) -> str:
    """One entry as a sentence: who did what to what, and at which center."""
    text = _ACTIONS.get(action)
    if text is not None:
        what = str(text.sentence) % {"actor": actor, "object": obj}
    else:
        what = str(GENERIC_SENTENCE) % {"actor": actor, "object": obj, "action": action}
    if center and center != obj:
        return _("%(what)s, at %(center)s.", what=what, center=center)
    return _("%(what)s.", what=what)


# The portal's own actions ------------------------------------------------------------------

_ROLE_LABELS = {
    "admin": _l("Administrator"),
    "inspector": _l("Inspector"),
    "manager": _l("Center manager"),
    "officer": _l("Counter officer"),
}

_WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)

for _action, _name, _sentence in (
    ("login", _l("Logged in"), _l("%(actor)s logged in")),
    ("logout", _l("Logged out"), _l("%(actor)s logged out")),
    ("login.failed", _l("Failed login"), _l("A login to %(object)s failed")),
    ("user.created", _l("Account created"), _l("%(actor)s created the account %(object)s")),
    ("user.updated", _l("Account changed"), _l("%(actor)s changed the account %(object)s")),
    (
        "user.password_changed",
        _l("Password changed"),
        _l("%(actor)s changed the password of %(object)s"),
    ),
    (
        "user.password_reset",
        _l("Password reset"),
        _l("%(actor)s gave %(object)s a new one-time password"),
    ),
    (
        "centers.seeded",
        _l("Centers loaded"),
        _l("%(actor)s loaded the official centers of %(object)s"),
    ),
    ("center.updated", _l("Center changed"), _l("%(actor)s changed the center's profile")),
    ("counter.created", _l("Counter added"), _l("%(actor)s added %(object)s")),
    ("counter.updated", _l("Counter changed"), _l("%(actor)s changed %(object)s")),
    ("officer.created", _l("Officer added"), _l("%(actor)s added the officer %(object)s")),
    ("officer.updated", _l("Officer changed"), _l("%(actor)s changed the officer %(object)s")),
    (
        "standard.import",
        _l("Standard imported"),
        _l("%(actor)s imported a version of the standard"),
    ),
    (
        "period.create",
        _l("Assessment period created"),
        _l("%(actor)s created the assessment period %(object)s"),
    ),
    (
        "period.update",
        _l("Assessment period changed"),
        _l("%(actor)s changed the assessment period %(object)s"),
    ),
    (
        "assessment.create",
        _l("Self-assessment started"),
        _l("%(actor)s started the self-assessment %(object)s"),
    ),
    (
        "assessment.answers",
        _l("Self-assessment answers saved"),
        _l("%(actor)s saved answers of the self-assessment %(object)s"),
    ),
    (
        "assessment.submit",
        _l("Self-assessment submitted"),
        _l("%(actor)s submitted the self-assessment %(object)s"),
    ),
    ("evidence.add", _l("Evidence added"), _l("%(actor)s attached the evidence file %(object)s")),
    (
        "evidence.delete",
        _l("Evidence removed"),
        _l("%(actor)s removed the evidence file %(object)s"),
    ),
    (
        "rating.staff_assisted",
        _l("Rating entered by staff"),
        _l("%(actor)s entered %(object)s for a citizen"),
    ),
    ("rating.flags_cleared", _l("Rating cleared"), _l("%(actor)s cleared the flags of %(object)s")),
    (
        "rating.flags_confirmed",
        _l("Rating held back"),
        _l("%(actor)s confirmed the flags of %(object)s: it does not count"),
    ),
    ("rating.comment_hidden", _l("Comment hidden"), _l("%(actor)s hid the comment of %(object)s")),
    (
        "rating.comment_shown",
        _l("Comment shown"),
        _l("%(actor)s showed the comment of %(object)s again"),
    ),
    (
        "rating.personal_data_erased",
        _l("Personal data erased"),
        _l("The citizen erased the phone number and comment of %(object)s"),
    ),
    (
        "qr.posters_revoked",
        _l("Posters reprinted"),
        _l("%(actor)s reprinted the QR posters of %(object)s"),
    ),
    ("case.answered", _l("Complaint answered"), _l("%(actor)s answered %(object)s")),
    ("inspection.start", _l("Inspection started"), _l("%(actor)s started inspection %(object)s")),
    (
        "inspection.verdict",
        _l("Inspection verdict"),
        _l("%(actor)s recorded a verdict in inspection %(object)s"),
    ),
    (
        "inspection.return",
        _l("Returned for correction"),
        _l("%(actor)s returned inspection %(object)s to the center for correction"),
    ),
    ("inspection.fix", _l("Correction made"), _l("%(actor)s corrected an answer in %(object)s")),
    (
        "inspection.evidence",
        _l("Inspection evidence"),
        _l("%(actor)s changed the evidence of inspection %(object)s"),
    ),
    (
        "inspection.resubmit",
        _l("Resubmitted"),
        _l("%(actor)s resubmitted the self-assessment of inspection %(object)s"),
    ),
    (
        "inspection.finalize",
        _l("Inspection finalized"),
        _l("%(actor)s finalized inspection %(object)s"),
    ),
    ("inspection.appeal", _l("Appeal filed"), _l("%(actor)s appealed inspection %(object)s")),
    (
        "inspection.appeal_decision",
        _l("Appeal decided"),
        _l("%(actor)s decided the appeal of inspection %(object)s"),
    ),
    (
        "inspection.visit",
        _l("On-site visit"),
        _l("%(actor)s recorded an on-site visit in inspection %(object)s"),
    ),
    (
        "inspection.action_create",
        _l("Corrective action"),
        _l("%(actor)s asked for a corrective action in inspection %(object)s"),
    ),
    (
        "inspection.action_close",
        _l("Corrective action done"),
        _l("%(actor)s closed a corrective action of inspection %(object)s"),
    ),
    (
        "inspection.action_confirm",
        _l("Corrective action confirmed"),
        _l("%(actor)s confirmed a corrective action of inspection %(object)s"),
    ),
    (
        "scores.settings",
        _l("Scoring settings changed"),
        _l("%(actor)s changed the scoring settings of %(object)s"),
    ),
    ("scores.recompute", _l("Scores computed"), _l("%(actor)s computed the scores of %(object)s")),
    (
        "scores.publish",
        _l("Ranking published"),
        _l("%(actor)s published the ranking of %(object)s"),
    ),
    ("receipt.issued", _l("Receipt issued"), _l("%(actor)s issued the rating receipt %(object)s")),
    (
        "rating.personal_data_purged",
        _l("Personal data purged"),
        _l("Phone numbers and comments past their retention period were deleted"),
    ),
    (
        "security.denied",
        _l("Access refused"),
        _l("%(actor)s was refused a page outside their rights"),
    ),
    (
        "security.csrf_failed",
        _l("Form refused"),
        _l("%(actor)s sent a form that had expired or came from another site"),
    ),
    (
        "security.rate_limited",
        _l("Too many requests"),
        _l("%(actor)s was slowed down after too many requests"),
    ),
    (
        "case.phone_revealed",
        _l("Callback number shown"),
        _l("%(actor)s looked at the callback number of %(object)s"),
    ),
    ("alert.acknowledged", _l("Alert acknowledged"), _l("%(actor)s acknowledged an alert")),
    ("demo.seeded", _l("Demo data loaded"), _l("%(actor)s loaded demo data for %(object)s")),
    ("settings.updated", _l("Settings changed"), _l("%(actor)s changed the settings")),
    (
        "settings.opening_hours",
        _l("Opening hours changed"),
        _l("%(actor)s changed the opening hours of %(object)s"),
    ),
    (
        "settings.opening_hours_cleared",
        _l("Opening hours reset"),
        _l("%(actor)s set %(object)s back to its province's opening hours"),
    ),
    (
        "settings.holiday_added",
        _l("Holiday added"),
        _l("%(actor)s added the public holiday %(object)s"),
    ),
    (
        "settings.holiday_removed",
        _l("Holiday removed"),
        _l("%(actor)s removed the public holiday %(object)s"),
    ),
):
    register_action(_action, name=_name, sentence=_sentence)

for _type, _label in (
    ("user", _l("account")),
    ("center", _l("center")),
    ("counter", _l("counter")),
    ("officer", _l("officer")),
    ("province", _l("province")),
    ("rating", _l("rating")),
    ("receipt", _l("receipt")),
    ("inspection", _l("inspection")),
    ("case", _l("complaint")),
    ("assessment", _l("self-assessment")),
    ("assessment_period", _l("period")),
    ("evidence", _l("file")),
    ("standard_version", _l("standard version")),
    ("settings", _l("settings")),
    ("holiday", _l("holiday")),
):
    register_object_type(_type, _label)

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
_PLAIN_LIST_FIELDS.update({"closed_weekdays", "scope_center_ids"})


def _role(value, _names) -> str:
    label = _ROLE_LABELS.get(str(value))
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
    }
)
