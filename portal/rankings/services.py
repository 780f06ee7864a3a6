"""The rankings floor's index: the names other features read, from the modules that hold them.

- ``scoring_settings``: a period's settings (defaults, validation, audited changes);
- ``satisfaction``: satisfaction figures from the rollups, officers' ranks, monthly trend;
- ``snapshots``: every figure of a period computed and stored (recompute);
- ``publication``: publishing a period (provisional or final), the published periods and
  the status of a revision;
- ``revisions``: the numbered revisions of a published period (frozen rows);
- ``board``: the published ranking read back (board, open data, API, a center's history);
- ``errors``: what a scoring or publication step raises.

The rankings feature's own modules import from those modules directly.
"""

from ..shared.timeutils import today_local
from .board import (
    class_history,
    ranking_query,
    ranking_records,
    ranking_rows,
    ranking_version,
    snapshot_for,
    snapshot_record,
)
from .errors import RankingsError, SettingsLocked
from .publication import (
    PeriodStatus,
    period_status,
    publish,
    published_period,
    published_periods,
)
from .revisions import (
    create_revision,
    latest_revision,
    revise_if_changed,
    revision_number,
    revisions_of,
)
from .satisfaction import (
    ZERO,
    OfficerRow,
    RankWindow,
    monthly_trend,
    officer_rank_window,
    officer_row,
    officer_rows,
    satisfaction_figures,
    start_for_rank,
)
from .scoring_settings import settings_for, update_settings, validate_settings
from .snapshots import (
    Change,
    compute_figures,
    has_snapshots,
    on_assessment_submitted,
    on_inspection_result_changed,
    period_window,
    recompute_snapshots,
    settings_record,
    worked_example,
)

__all__ = [
    "ZERO",
    "Change",
    "OfficerRow",
    "PeriodStatus",
    "RankWindow",
    "RankingsError",
    "SettingsLocked",
    "class_history",
    "compute_figures",
    "create_revision",
    "has_snapshots",
    "latest_revision",
    "monthly_trend",
    "officer_rank_window",
    "officer_row",
    "officer_rows",
    "on_assessment_submitted",
    "on_inspection_result_changed",
    "period_status",
    "period_window",
    "publish",
    "published_period",
    "published_periods",
    "ranking_query",
    "ranking_records",
    "ranking_rows",
    "ranking_version",
    "recompute_snapshots",
    "revise_if_changed",
    "revision_number",
    "revisions_of",
    "satisfaction_figures",
    "settings_for",
    "settings_record",
    "snapshot_for",
    "snapshot_record",
    "start_for_rank",
    "today_local",  # bench/scale.py reads the portal's day through this index
    "update_settings",
    "validate_settings",
    "worked_example",
]
