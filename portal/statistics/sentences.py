"""How the audit log reads an import of dossier statistics or of the Decision 766 index."""

from flask_babel import lazy_gettext as _l

from ..audit.sentences import register_action, register_fields, register_object_type

register_action(
    "statistics.dossiers_imported",
    name=_l("Dossier statistics imported"),
    sentence=_l("%(actor)s imported dossier statistics"),
)
register_action(
    "statistics.index_imported",
    name=_l("Decision 766 index imported"),
    sentence=_l("%(actor)s imported the Decision 766 service index"),
)
register_action(
    "demo.statistics_seeded",
    name=_l("Demo statistics loaded"),
    sentence=_l("%(actor)s loaded demo dossier statistics and 766 index for %(object)s"),
)
register_object_type("statistics", _l("statistics"))
register_fields(
    {
        "source": _l("Source"),
        "rows": _l("Rows"),
        "replaced": _l("Rows replaced"),
        "centers": _l("Centers"),
        "months": _l("Months"),
        "api_key": _l("API key"),
        "dossier_rows": _l("Dossier rows"),
        "index_rows": _l("Index rows"),
    }
)
