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

This module is the entry point: the machinery lives in :mod:`.wording`, the portal's own
actions in :mod:`.actions` and its summary fields in :mod:`.fields`, registered on import.
"""

from __future__ import annotations

from . import actions, fields  # noqa: F401 - registered on import
from .wording import (  # noqa: F401 - the two registries, for tests that add and take back
    _ACTIONS,
    _FIELD_LABELS,
    GENERIC_SENTENCE,
    REDACTED,
    ActionText,
    Change,
    Names,
    ValueFormat,
    action_choices,
    action_name,
    actor_name,
    changes,
    describe,
    field_label,
    format_value,
    is_known,
    object_name,
    register_action,
    register_fields,
    register_object_type,
    register_plain_list_fields,
    register_value_format,
)

__all__ = [
    "GENERIC_SENTENCE",
    "REDACTED",
    "ActionText",
    "Change",
    "Names",
    "ValueFormat",
    "action_choices",
    "action_name",
    "actor_name",
    "changes",
    "describe",
    "field_label",
    "format_value",
    "is_known",
    "object_name",
    "register_action",
    "register_fields",
    "register_object_type",
    "register_plain_list_fields",
    "register_value_format",
]
