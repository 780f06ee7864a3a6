"""View helpers for roles and center scope. The rules themselves are in ``accounts.permissions``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from flask import abort
from flask_login import current_user, login_required

if TYPE_CHECKING:
    from ..centers.models import Center


def roles_required(*roles: str) -> Callable:
    """Require a logged-in, active user with one of ``roles`` (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def center_or_abort(code: str, *, manage: bool = False) -> Center:
    """The center with this code for the current user: 404 if none, 403 outside their scope
    (or, with ``manage``, when they may not change it)."""
    # Imported here: every feature package imports this module while loading its views.
    from ..centers.services import get_center_by_code
    from .permissions import can_manage_center, can_view_center

    center = get_center_by_code(code)
    if center is None:
        abort(404)
    allowed = can_manage_center if manage else can_view_center
    if not allowed(current_user, center):
        abort(403)
    return center
