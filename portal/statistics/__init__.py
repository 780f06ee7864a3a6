"""Imported outcome data: the Decision 766 service index and dossier statistics.

Floor: the data layer (models, importers, services, cli) sits beside ``ratings``, below
``rankings`` (whose checklist hints read it); only the pages (``views``) read the
rankings floor (coverage and snapshots).
"""

from . import sentences  # noqa: F401 - the audit sentences of an import
from .views import bp  # noqa: F401
