"""Dashboards: the province's centers at a glance, one center's scores, drill-downs, charts."""

from .views import bp  # noqa: F401
