from __future__ import annotations

import pytest

from portal.extensions import db
from portal.standards import services
from portal.standards.models import StandardVersion


@pytest.fixture
def standard_version(app) -> StandardVersion:
    """The built-in Phú Thọ standard, imported."""
    spec = services.load_file(services.DEFAULT_STANDARD_FILE)
    version = services.import_standard(spec, actor=None).version
    db.session.commit()
    return version
