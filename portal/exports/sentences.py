"""How the audit log reads an export."""

from flask_babel import lazy_gettext as _l

from ..audit.sentences import register_action, register_object_type

register_action(
    "export.created",
    name=_l("Data exported"),
    sentence=_l("%(actor)s exported data of %(object)s"),
)
register_object_type("export", _l("export"))
