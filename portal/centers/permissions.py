"""Who may see and change one center (the rules on a user and a center).

Here, below ``accounts``, because the centers' own services check their actor;
``accounts.permissions`` adds the query-side rule (``visible_centers_clause``), which
reads the inspectors' scope table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..shared.roles import Role

if TYPE_CHECKING:
    from .models import Center


def can_view_center(user, center: Center) -> bool:
    if not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.INSPECTOR:
        if (
            user.scope_province_code is not None
            and center.province_code == user.scope_province_code
        ):
            return True
        return any(c.id == center.id for c in user.scope_centers)
    return user.center_id == center.id


def can_manage_center(user, center: Center) -> bool:
    """Edit the center's profile, counters and officers."""
    if not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MANAGER and user.center_id == center.id
