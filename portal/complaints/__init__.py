"""Complaints: the cases citizens open with a rating (alerts are read in ``rankings``)."""

from .views import bp  # noqa: F401
