"""Imported outcome data: the Decision 766 service index and dossier statistics.

Floor: the data layer (models, importers, services, cli) sits beside ``ratings``, below
``rankings`` (``assessments.sources`` reads it for the checklist's hints); only ``views``
reads the rankings floor (coverage and snapshots), so ``bp`` is imported on first use.
"""

from . import sentences  # noqa: F401 - the audit sentences of an import


def __getattr__(name: str):
    if name == "bp":
        from .views import bp

        return bp
    raise AttributeError(name)
