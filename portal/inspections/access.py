"""Who may inspect what, and the errors the inspection cycle raises.

The bottom of the feature: every step checks its actor here first.
"""

from __future__ import annotations

from flask_babel import gettext as _

from ..accounts.models import Role, User
from ..accounts.permissions import can_view_center
from ..assessments import services as checklist
from ..centers.models import Center
from ..shared.errors import PermissionDenied, PortalError
from .models import Inspection


class InspectionError(PortalError):
    """An inspection rule was broken."""


class OutOfScope(PermissionDenied):
    """The inspector's scope does not include this center."""


class OwnCenter(PermissionDenied):
    """A manager tried to verify their own center."""


class Locked(InspectionError):
    """The result is finalized: only an appeal changes it."""


class AppealError(InspectionError):
    """An appeal rule was broken."""


def is_inspector(user: User) -> bool:
    return user.role in (Role.INSPECTOR, Role.ADMIN)


def can_inspect(user: User, center: Center) -> bool:
    return user.is_active and is_inspector(user) and can_view_center(user, center)


def check_inspector(user: User, center: Center) -> None:
    """Refuse anyone but an inspector (or admin) whose scope includes the center."""
    if user.role in (Role.MANAGER, Role.OFFICER):
        raise OwnCenter(_("A center's staff cannot verify or finalize a center's assessment."))
    if not can_inspect(user, center):
        raise OutOfScope(_("This center is outside your inspection scope."))


def check_center_manager(user: User, center: Center) -> None:
    if not (user.is_active and user.role == Role.MANAGER and user.center_id == center.id):
        raise PermissionDenied(_("Only the center's own manager can do this."))


def can_view_inspection(user: User, inspection: Inspection) -> bool:
    return checklist.can_view_assessment(user, inspection.assessment)
