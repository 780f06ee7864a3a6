"""How the audit log reads the documents' actions."""

from flask_babel import lazy_gettext as _l

from ..audit.sentences import register_action, register_fields, register_object_type

register_action(
    "documents.settings",
    name=_l("Document settings changed"),
    sentence=_l("%(actor)s changed the letterhead, signers or numbering of the documents"),
)
register_action(
    "documents.issued",
    name=_l("Document issued"),
    sentence=_l("%(actor)s issued a numbered document"),
)
register_object_type("document", _l("document"))
register_fields(
    {
        "document_kind": _l("Document kind"),
        "document_number": _l("Document number"),
        "document_subject": _l("Document subject"),
    }
)
