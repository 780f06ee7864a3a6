"""Issue 12, defect 7: the photo-reuse warning names only centers within the viewer's scope."""

from __future__ import annotations

import io

from portal.accounts.models import Role
from portal.assessments import services

from .conftest import criterion, make_photo


def _upload(client, assessment, c, data: bytes):
    return client.post(
        f"/assessments/{assessment.id}",
        data={f"c{c.id}-file": (io.BytesIO(data), "p.jpg")},
        content_type="multipart/form-data",
    )


def test_a_manager_never_sees_other_centers_in_reuse_warnings(
    client, auth, users, create_center, create_user, period, center, standard_version
):
    c = criterion(standard_version, "TD03")
    far = create_center("26000", province_code=26, name="Trung tâm tỉnh khác")
    far_manager = create_user(Role.MANAGER, username="far-manager", center=far)
    far_assessment = services.start_assessment(period, far, actor=far_manager)
    mine = services.start_assessment(period, center, actor=users["manager"])
    from portal.extensions import db

    db.session.commit()
    auth.login(far_manager)
    assert _upload(client, far_assessment, c, make_photo(60)).status_code == 302
    auth.logout()
    auth.login(users["manager"])
    assert _upload(client, mine, c, make_photo(60)).status_code == 302
    page = client.get(f"/assessments/{mine.id}").get_data(as_text=True)
    assert "26000" not in page and "Trung tâm tỉnh khác" not in page
    auth.logout()
    # An inspector of province 25 does not see the other province's center either; an
    # administrator (everything in scope) does.
    auth.login(users["inspector"])
    page = client.get(f"/assessments/{mine.id}").get_data(as_text=True)
    assert "26000" not in page
    auth.logout()
    auth.login(users["admin"])
    page = client.get(f"/assessments/{mine.id}").get_data(as_text=True)
    assert "26000" in page and "⚠" in page
