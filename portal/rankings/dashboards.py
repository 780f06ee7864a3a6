"""Dashboard reads, indexed: the names the dashboards feature reads, from the modules
that hold them.

- ``dashboard_periods``: the periods with snapshots, picking one, the previous one;
- ``province_dashboard``: the centers in scope (filtered, sorted, paged) and the headline;
- ``center_dashboard``: one center's snapshot and rank, the drill-down to criteria, what
  is open;
- ``dashboard_charts``: monthly satisfaction, honesty points, area means, counters, hours.

Every figure is scoped to the actor (an inspector sees only the centers in scope, a
manager only their own), and nothing scans the ratings table for a figure that a rollup
or a snapshot holds.
"""

from .center_dashboard import (
    CriterionDetail,
    CriterionScore,
    LevelRank,
    assessment_for,
    criterion_detail,
    criterion_scores,
    open_actions,
    open_cases,
    rank_in_level,
    recent_comments,
    snapshot,
    verified_inspection,
    weakest_criteria,
)
from .dashboard_charts import (
    LOCAL_OFFSET_HOURS,
    ZERO,
    area_averages,
    counter_figures,
    honesty_points,
    hour_counts,
    monthly_satisfaction,
)
from .dashboard_periods import dashboard_periods, pick_period, previous_period, state_choices
from .province_dashboard import (
    SORTS,
    CenterRow,
    Headline,
    Page,
    ProvinceFilter,
    headline,
    province_page,
    silent_counter_count,
)

__all__ = [
    "LOCAL_OFFSET_HOURS",
    "SORTS",
    "ZERO",
    "CenterRow",
    "CriterionDetail",
    "CriterionScore",
    "Headline",
    "LevelRank",
    "Page",
    "ProvinceFilter",
    "area_averages",
    "assessment_for",
    "counter_figures",
    "criterion_detail",
    "criterion_scores",
    "dashboard_periods",
    "headline",
    "honesty_points",
    "hour_counts",
    "monthly_satisfaction",
    "open_actions",
    "open_cases",
    "pick_period",
    "previous_period",
    "province_page",
    "rank_in_level",
    "recent_comments",
    "silent_counter_count",
    "snapshot",
    "state_choices",
    "verified_inspection",
    "weakest_criteria",
]
