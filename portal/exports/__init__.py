"""Exports: Excel, CSV and PDF files of rankings, ratings, assessments and complaints."""

from . import sentences  # noqa: F401 - the audit sentence of an export
from .views import bp  # noqa: F401
