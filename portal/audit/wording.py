"""The machinery of the audit log's sentences: registries, values in words, the sentence itself.

Actions, field labels, value formats and object kinds are registered here (by
:mod:`portal.audit.actions`, :mod:`portal.audit.fields` and the features); the functions
below read those registries. Import them through :mod:`portal.audit.sentences`.
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

from .services import REDACTED


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
#: Fields whose value is a list, so that a two-item list is not read as ``[old, new]``.
_PLAIN_LIST_FIELDS: set[str] = set()
#: Words the features store in summaries in English ("met", "partly met"), in the reader's
#: language: the log keeps the stored word, the page says it in words of its language.
_VALUE_WORDS: dict[str, Any] = {}

GENERIC_SENTENCE = _l("%(actor)s performed “%(action)s” on %(object)s")


def register_action(action: str, *, name, sentence) -> None:
    """Give ``action`` a translated name and sentence (``%(actor)s``, ``%(object)s``)."""
    _ACTIONS[action] = ActionText(name, sentence)


def register_fields(labels: Mapping[str, Any]) -> None:
    """Translated labels of summary fields (``{"due_on": _l("Due date")}``)."""
    _FIELD_LABELS.update(labels)


def register_value_format(field_name: str, fmt: ValueFormat) -> None:
    _VALUE_FORMATS[field_name] = fmt


def register_value_words(words: Mapping[str, Any]) -> None:
    """Translations of words stored as values (``{"not met": _l("not met")}``); a value made of
    them, alone or as ``old → new``, reads in the page's language."""
    _VALUE_WORDS.update(words)


def _stored_words(value: str) -> str | None:
    parts = value.split(" → ")
    if not any(part in _VALUE_WORDS for part in parts):
        return None
    return " → ".join(str(_VALUE_WORDS.get(part, part)) for part in parts)


def register_object_type(object_type: str, label) -> None:
    """How an object with no looked-up name is called: ``label`` + its number."""
    _OBJECT_TYPES[object_type] = label


def register_plain_list_fields(field_names: set[str]) -> None:
    """Fields whose value is a list, so that a two-item list is not read as ``[old, new]``."""
    _PLAIN_LIST_FIELDS.update(field_names)


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
        words = _stored_words(value)
        return value if words is None else words
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


#: Account roles in words, for the actor of a sentence and the ``role`` field.
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "inspector": _l("Inspector"),
    "manager": _l("Center manager"),
    "officer": _l("Counter officer"),
}

# Sentences ---------------------------------------------------------------------------------


def actor_name(actor_label: str) -> str:
    """``"admin (admin)"`` → ``"admin (Administrator)"``; ``"system"`` → the system."""
    if actor_label == "system":
        return _("The system")
    match = re.match(r"^(.*) \((\w+)\)$", actor_label)
    if match and match.group(2) in ROLE_LABELS:
        return f"{match.group(1)} ({ROLE_LABELS[match.group(2)]})"
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
