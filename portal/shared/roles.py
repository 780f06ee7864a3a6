"""The four roles of the portal's users (stored in ``users.role``).

On the ground floor because both ``accounts`` (the users) and ``centers`` (who may
change a center) read them; their labels are in ``accounts.models``.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    INSPECTOR = "inspector"
    MANAGER = "manager"
    OFFICER = "officer"
