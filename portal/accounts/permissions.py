"""Who may see and change which center: the scope rules (the per-center checks,
``can_view_center`` and ``can_manage_center``, live in ``centers.permissions``, so that
the centers' services check their actor without importing accounts).

Admins see every center. Inspectors see the centers of their province scope
or their explicit list. Managers and officers see only their own center.
Only admins and the center's own manager change a center's profile, counters
and officers.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..centers.models import Center
from ..centers.permissions import can_manage_center, can_view_center
from .models import Role, User, inspector_centers

__all__ = ["can_manage_center", "can_view_center", "visible_centers_clause"]


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
