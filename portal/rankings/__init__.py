"""Scores, fair rankings and publication: snapshots, the public board, open data."""

from ..shared.signals import assessment_submitted, inspection_result_changed
from . import services  # the index first: pages loaded on the way bind it by name
from .views import bp  # noqa: F401

# Finalizations and appeal decisions (sent by inspections, which never imports rankings).
inspection_result_changed.connect(services.on_inspection_result_changed, weak=False)
# Submissions and resubmissions: C_self on the dashboards before any verification.
assessment_submitted.connect(services.on_assessment_submitted, weak=False)
