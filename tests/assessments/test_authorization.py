"""Every route × every role: who may see and change which assessment, answer and file."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from portal.assessments.models import Answer, Assessment, Evidence
from portal.extensions import db

from .conftest import criterion

ROLES = ("admin", "inspector", "inspector_other", "manager", "manager_other", "officer", None)


def _login(auth, users, who):
    if who:
        auth.login(users[who])


@pytest.fixture
def evidence(client, auth, users, assessment, standard_version, photo):
    c = criterion(standard_version, "TD03")
    auth.login(users["manager"])
    response = client.post(
        f"/assessments/{assessment.id}",
        data={"action": "save", f"c{c.id}-file": (io.BytesIO(photo(1)), "the.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    auth.logout()
    return db.session.scalars(sa.select(Evidence)).one()


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (200, 200, 200, 200, 200, 403, 302), strict=True)),
)
def test_index(client, auth, users, assessment, who, expected):
    _login(auth, users, who)
    assert client.get("/assessments/").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (200, 200, 404, 200, 404, 403, 302), strict=True)),
)
def test_detail(client, auth, users, assessment, who, expected):
    _login(auth, users, who)
    assert client.get(f"/assessments/{assessment.id}").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (200, 200, 404, 200, 404, 403, 302), strict=True)),
)
def test_printable(client, auth, users, assessment, who, expected):
    _login(auth, users, who)
    assert client.get(f"/assessments/{assessment.id}/print").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (403, 403, 403, 200, 404, 403, 302), strict=True)),
)
def test_submit_step(client, auth, users, assessment, who, expected):
    _login(auth, users, who)
    assert client.get(f"/assessments/{assessment.id}/submit").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (403, 403, 403, 302, 404, 403, 302), strict=True)),
)
def test_submit(client, auth, users, assessment, who, expected):
    _login(auth, users, who)
    assert client.post(f"/assessments/{assessment.id}/submit").status_code == expected
    db.session.expire_all()
    assert not assessment.is_submitted  # nobody submits an unanswered checklist


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (200, 200, 403, 200, 403, 403, 302), strict=True)),
)
def test_center_checklists(client, auth, users, assessment, who, expected):
    _login(auth, users, who)
    response = client.get("/assessments/center/07900")
    assert response.status_code == expected
    if expected == 200:
        assert f'href="/assessments/{assessment.id}"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (403, 403, 404, 302, 404, 403, 302), strict=True)),
)
def test_save(client, auth, users, assessment, standard_version, who, expected):
    c = criterion(standard_version, "NL02")
    _login(auth, users, who)
    response = client.post(
        f"/assessments/{assessment.id}",
        data={f"c{c.id}-present": "1", f"c{c.id}-choice": "met", "action": "save"},
    )
    assert response.status_code == expected
    saved = db.session.scalars(sa.select(Answer)).all()
    assert len(saved) == (1 if who == "manager" else 0)


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (403, 403, 403, 302, 302, 403, 302), strict=True)),
)
def test_start(client, auth, users, period, center, who, expected, count_rows):
    _login(auth, users, who)
    response = client.post("/assessments/start", data={"period_id": period.id})
    assert response.status_code == expected
    # A manager can only ever start the assessment of their own center.
    rows = db.session.scalars(sa.select(Assessment)).all()
    if who in ("manager", "manager_other"):
        assert [a.center_id for a in rows] == [users[who].center_id]
    else:
        assert rows == []


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (200, 200, 404, 200, 404, 403, 302), strict=True)),
)
def test_evidence_file(client, auth, users, evidence, who, expected):
    _login(auth, users, who)
    with client.get(f"/assessments/evidence/{evidence.id}") as response:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (403, 403, 404, 302, 404, 403, 302), strict=True)),
)
def test_evidence_delete(client, auth, users, evidence, who, expected, count_rows):
    _login(auth, users, who)
    assert client.post(f"/assessments/evidence/{evidence.id}/delete").status_code == expected
    assert count_rows(Evidence) == (0 if who == "manager" else 1)


@pytest.mark.parametrize("url", ["/assessments/periods/", "/assessments/periods/new"])
@pytest.mark.parametrize(
    ("who", "expected"),
    list(zip(ROLES, (200, 403, 403, 403, 403, 403, 302), strict=True)),
)
def test_period_pages(client, auth, users, period, url, who, expected):
    _login(auth, users, who)
    assert client.get(url).status_code == expected
    assert client.get(f"/assessments/periods/{period.id}/edit").status_code == expected


def test_manager_cannot_reach_another_centers_assessment_by_url(
    client, auth, users, assessment, other_assessment
):
    auth.login(users["manager"])
    assert client.get(f"/assessments/{other_assessment.id}").status_code == 404
    assert client.get(f"/assessments/{other_assessment.id + 1000}").status_code == 404


def test_manager_cannot_change_another_center_by_form(
    client, auth, users, assessment, other_assessment, standard_version, photo
):
    """Posting to the other center's id, or deleting its file, is refused; nothing changes."""
    c = criterion(standard_version, "TD03")
    auth.login(users["manager_other"])
    client.post(
        f"/assessments/{other_assessment.id}",
        data={f"c{c.id}-file": (io.BytesIO(photo(5)), "x.jpg")},
        content_type="multipart/form-data",
    )
    other_file = db.session.scalars(sa.select(Evidence)).one()
    auth.logout()
    auth.login(users["manager"])
    response = client.post(
        f"/assessments/{other_assessment.id}",
        data={f"c{c.id}-present": "1", f"c{c.id}-choice": "no"},
    )
    assert response.status_code == 404
    assert client.post(f"/assessments/evidence/{other_file.id}/delete").status_code == 404
    assert client.get(f"/assessments/evidence/{other_file.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(Evidence, other_file.id) is not None
    assert db.session.scalars(sa.select(Answer)).all() == []


def test_criterion_of_another_standard_version_is_ignored(
    client, auth, users, assessment, standard_version, create_period, count_rows
):
    """A form naming a criterion id outside the assessment's standard changes nothing."""
    auth.login(users["manager"])
    response = client.post(
        f"/assessments/{assessment.id}",
        data={"c999999-present": "1", "c999999-choice": "met"},
    )
    assert response.status_code == 302
    assert count_rows(Answer) == 0
