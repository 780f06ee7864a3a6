"""Admins upload a new standard version from the portal: the CLI's checks with line numbers,
the differences from the previous version, then publishing and pinning it to a new period."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from portal.assessments.models import AssessmentPeriod
from portal.extensions import db
from portal.standards import services
from portal.standards.models import StandardVersion

OLD_FILE = services.DEFAULT_STANDARD_FILE.parent / "mot_cua_so_phu_tho_2025.1.yaml"
#: The 2025.1 → 2026.1 upgrade (2026.2 only adds the dossier-statistics hints).
NEW_FILE = services.DEFAULT_STANDARD_FILE.parent / "mot_cua_so_phu_tho_2026.1.yaml"
NEW = NEW_FILE.read_text(encoding="utf-8")


@pytest.fixture
def old_version_pinned(app):
    """Version 2025.1 imported, and a period pinned to it."""
    version = services.import_standard(services.load_file(OLD_FILE), actor=None).version
    db.session.add(
        AssessmentPeriod(
            code="2025-Q4",
            name="Quý IV năm 2025",
            kind="quarter",
            opens_on=date(2025, 10, 1),
            closes_on=date(2025, 12, 31),
            standard_version=version,
        )
    )
    db.session.commit()
    return version


def _upload(client, text: str, name: str = "standard.yaml"):
    return client.post(
        "/standards/upload",
        data={"file": (io.BytesIO(text.encode("utf-8")), name), "preview": "1"},
        content_type="multipart/form-data",
    )


def test_invalid_file_shows_line_numbered_problems_and_imports_nothing(
    client, auth, users, count_rows
):
    auth.login(users["admin"])
    bad = NEW.replace("    weight: 15\n", "    weight: 16\n", 1).replace(
        "        points: 2\n", "        points: 2\n        pionts: 2\n", 1
    )
    response = _upload(client, bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "area weights sum to 101, they must sum to 100" in page
    assert "unknown key &#39;pionts&#39;" in page and "line " in page
    assert count_rows(StandardVersion) == 0
    assert _upload(client, "areas: [").status_code == 422


def test_preview_shows_the_differences_then_publish_keeps_old_periods(
    client, auth, users, old_version_pinned, count_rows
):
    auth.login(users["admin"])
    response = _upload(client, NEW)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "compared with version 2025.1" in page or "so với phiên bản 2025.1" in page
    assert "TD05" in page and "unverified" in page
    assert count_rows(StandardVersion) == 1  # nothing published yet
    changes = services.diff_versions(old_version_pinned, services.load_file(NEW_FILE))
    td05 = [c for c in changes if c.code == "TD05" and c.field == "points"]
    assert td05 and td05[0].old == 3 and td05[0].new == 0
    relabelled = {c.code for c in changes if c.field == "confidence"}
    assert relabelled == {"NL01", "NL02", "CS01", "CS02", "CS03", "CS04", "QT09", "TD01", "TD03"}

    response = client.post("/standards/upload", data={"content": NEW, "publish": "1"})
    assert response.status_code == 302
    new = db.session.scalars(
        sa.select(StandardVersion).where(StandardVersion.version == "2026.1")
    ).one()
    period = db.session.scalars(sa.select(AssessmentPeriod)).one()
    assert period.standard_version_id == old_version_pinned.id  # unchanged
    # Pin it to a new period: the period form comes with the new version chosen.
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = f"/assessments/periods/new?version={new.id}"
    assert link in page
    form = client.get(link).get_data(as_text=True)
    assert f'<option selected value="{new.id}">' in form or f'value="{new.id}" selected' in form


@pytest.mark.parametrize("who", ["inspector", "manager", "officer"])
def test_only_admins_upload(client, auth, users, who, count_rows):
    auth.login(users[who])
    assert client.get("/standards/upload").status_code == 403
    assert _upload(client, NEW).status_code == 403
    assert count_rows(StandardVersion) == 0
