"""Inspection and verification of self-assessments."""

from .views import bp  # noqa: F401
