"""Official documents in the administrative format (PDF and Word), optionally signed."""

from . import sentences  # noqa: F401 - the audit sentences of the documents
from .views import bp  # noqa: F401
