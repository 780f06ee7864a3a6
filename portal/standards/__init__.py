"""Standards: versioned checklists (areas, weights, criteria) imported from YAML."""

from .views import bp  # noqa: F401
