"""Assessment periods and centers' self-assessments against a standard version, with evidence."""

from .views import bp  # noqa: F401
