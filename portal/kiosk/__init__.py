"""The offline counter kiosk: enrolled tablets that sign and queue ratings through a
network outage and sync them exactly once (issue 23).

Two blueprints: ``bp`` (``kiosk``, the staff pages) and ``public_bp`` (``kiosk_app``, the
tablet's enrolment, app, service worker and sync)."""

from .public import bp as public_bp  # noqa: F401
from .views import bp  # noqa: F401
