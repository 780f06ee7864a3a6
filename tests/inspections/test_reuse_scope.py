"""Issue 22, finding 7: the photo-reuse warning on the inspection page named other
provinces' centers to a manager and an inspector of another province. Every page now
counts the reuse but names only centers the viewer may see."""

from __future__ import annotations

import io

import pytest

from portal.accounts.models import Role
from portal.assessments import services as checklist
from portal.extensions import db

from .conftest import criterion, make_photo

PAGES = ("/inspections/assessments/{id}", "/assessments/{id}")


def _upload(client, assessment, c, data: bytes):
    return client.post(
        f"/assessments/{assessment.id}",
        data={f"c{c.id}-file": (io.BytesIO(data), "p.jpg")},
        content_type="multipart/form-data",
    )


@pytest.fixture
def reused(client, auth, users, create_center, create_user, period, center, standard_version):
    """The same photo uploaded by a center of province 26, then by the Việt Trì center."""
    c = criterion(standard_version, "TD03")
    far = create_center("26001", province_code=26, name="Trung tâm Tỉnh Xa Lạ")
    far_manager = create_user(Role.MANAGER, username="far-manager", center=far)
    far_assessment = checklist.start_assessment(period, far, actor=far_manager)
    mine = checklist.start_assessment(period, center, actor=users["manager"])
    db.session.commit()
    auth.login(far_manager)
    assert _upload(client, far_assessment, c, make_photo(61)).status_code == 302
    auth.logout()
    auth.login(users["manager"])
    assert _upload(client, mine, c, make_photo(61)).status_code == 302
    auth.logout()
    return mine


@pytest.mark.parametrize("who", ["manager", "inspector"])
@pytest.mark.parametrize("page", PAGES)
def test_reuse_outside_the_viewers_scope_is_counted_but_not_named(
    client, auth, users, reused, who, page
):
    auth.login(users[who])
    response = client.get(page.format(id=reused.id))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "26001" not in html and "Tỉnh Xa Lạ" not in html
    assert "⚠" in html  # the reuse is still reported
    assert "ngoài phạm vi" in html


@pytest.mark.parametrize("page", PAGES)
def test_an_administrator_sees_which_center_reused_the_photo(client, auth, users, reused, page):
    auth.login(users["admin"])
    html = client.get(page.format(id=reused.id)).get_data(as_text=True)
    assert "26001" in html and "Tỉnh Xa Lạ" in html
