"""Citizen ratings by QR: tokens, the rating page, rollups, moderation.

Two blueprints: ``bp`` (``ratings``, the staff pages) and ``public_bp`` (``rate``, the
citizen's pages without login)."""

from .public import bp as public_bp  # noqa: F401
from .views import bp  # noqa: F401
