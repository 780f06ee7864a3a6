"""Domain errors. Services raise them; views turn them into flashes or form errors."""

from __future__ import annotations


class PortalError(Exception):
    """Base class of every expected, user-facing error. ``message`` is translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class PermissionDenied(PortalError):
    """The actor may not do this to this object."""


class NotFound(PortalError):
    """The object does not exist (or is hidden from the actor)."""
