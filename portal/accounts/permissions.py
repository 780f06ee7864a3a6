"""Who may see and change which center: the scope rules, in one place.

Admins see every center. Inspectors see the centers of their province scope
or their explicit list. Managers and officers see only their own center.
Only admins and the center's own manager change a center's profile, counters
and officers.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..centers.models import Center
from .models import Role, User, inspector_centers


def visible_centers_clause(user: User) -> sa.ColumnElement[bool]:
    """A WHERE clause on ``Center`` restricting a query to ``user``'s scope."""
    if user.role == Role.ADMIN:
        return sa.true()
    if user.role == Role.INSPECTOR:
        explicit = Center.id.in_(
            sa.select(inspector_centers.c.center_id).where(inspector_centers.c.user_id == user.id)
        )
        if user.scope_province_code is not None:
            return sa.or_(Center.province_code == user.scope_province_code, explicit)
        return explicit
    if user.center_id is None:
        return sa.false()
    return Center.id == user.center_id


def can_view_center(user: User, center: Center) -> bool:
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


def can_manage_center(user: User, center: Center) -> bool:
    """Edit the center's profile, counters and officers."""
    if not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MANAGER and user.center_id == center.id
