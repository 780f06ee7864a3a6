"""Fixtures for self-assessments: the default standard, an open period, photos."""

from __future__ import annotations

import io
import random
from datetime import timedelta

import pytest
from PIL import Image, ImageDraw

from portal.assessments import services
from portal.assessments.models import Assessment, AssessmentPeriod
from portal.extensions import db
from portal.standards import services as standard_services
from portal.standards.models import StandardVersion


@pytest.fixture
def app_config(app_config, tmp_path):
    return {**app_config, "EVIDENCE_DIR": str(tmp_path / "evidence")}


@pytest.fixture
def standard_version(app) -> StandardVersion:
    spec = standard_services.load_file(standard_services.DEFAULT_STANDARD_FILE)
    version = standard_services.import_standard(spec, actor=None).version
    db.session.commit()
    return version


@pytest.fixture
def create_period(app, standard_version):
    def make(
        code: str = "2026-Q1", *, days_ago: int = 10, days_left: int = 30, version=None
    ) -> AssessmentPeriod:
        today = services.today_local()
        period = AssessmentPeriod(
            code=code,
            name=f"Kỳ {code}",
            kind="quarter",
            opens_on=today - timedelta(days=days_ago),
            closes_on=today + timedelta(days=days_left),
            standard_version=version or standard_version,
        )
        db.session.add(period)
        db.session.commit()
        return period

    return make


@pytest.fixture
def period(create_period) -> AssessmentPeriod:
    return create_period()


@pytest.fixture
def assessment(period, center, users) -> Assessment:
    a = services.start_assessment(period, center, actor=users["manager"])
    db.session.commit()
    return a


@pytest.fixture
def other_assessment(period, other_center, users) -> Assessment:
    a = services.start_assessment(period, other_center, actor=users["manager_other"])
    db.session.commit()
    return a


def criterion(version: StandardVersion, code: str):
    return next(c for c in version.criteria if c.code == code)


def make_photo(seed: int = 1, *, size=(640, 480), fmt: str = "JPEG", exif=None) -> bytes:
    """A synthetic photo with large shapes, so that its perceptual hash is stable."""
    rng = random.Random(seed)
    image = Image.new("RGB", size, tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    w, h = size
    for _ in range(8):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(w // 6, w // 2), y0 + rng.randrange(h // 6, h // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def photo():
    return make_photo


def use_english(client) -> None:
    """Switch the session to English (messages asserted below are the English msgids)."""
    from flask_babel import refresh

    client.get("/account/language/en")
    refresh()  # the test keeps one app context, where Flask-Babel caches the locale
