"""Signals a lower floor sends and a higher one listens to, so that imports still point down.

``inspection_result_changed`` is sent by ``inspections`` when a verified result is
finalized, appealed or changed by an appeal decision (sender: the inspection; ``actor``:
the user; ``reason``: ``finalized``, ``appeal_filed`` or ``appeal_decided``).
``rankings`` connects to it and recomputes the period's score snapshots.

``assessment_submitted`` is sent by ``assessments`` when a self-assessment is submitted and
by ``inspections`` when its corrections are resubmitted (sender: the assessment);
``rankings`` shows its C_self and area scores in the center's snapshot at once.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

inspection_result_changed = _signals.signal("inspection-result-changed")
assessment_submitted = _signals.signal("assessment-submitted")
