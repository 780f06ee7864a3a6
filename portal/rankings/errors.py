"""What a scoring or publication step raises when it cannot be done."""

from __future__ import annotations

from ..shared.errors import PortalError


class RankingsError(PortalError):
    """A scoring or publication step that cannot be done."""


class SettingsLocked(RankingsError):
    """The period is published: its settings no longer change."""
