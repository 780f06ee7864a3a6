"""The inspector's review shows the imported dossier figure beside the center's typed
outcome answer (QT10, on-time share) and flags a difference above the tolerance; it also
warns when a mandatory gate rests on a basis not verified in the current law."""

from __future__ import annotations

import pytest
from flask_babel import refresh

from portal.assessments import services as checklist
from portal.assessments.services import AnswerInput
from portal.extensions import db
from portal.settings import services as settings
from portal.shared.timeutils import today_local
from portal.statistics.models import DossierStat

from .conftest import criterion, full_marks


def _submit_with(assessment, manager, version, qt10: str):
    answers = full_marks(version)
    answers[criterion(version, "QT10").id] = AnswerInput(number=qt10)
    assert checklist.save_answers(assessment, answers, actor=manager) == {}
    checklist.submit(assessment, actor=manager)
    db.session.commit()


def _import(center, *, on_time: int, late: int):
    db.session.add(
        DossierStat(
            center_id=center.id,
            month=today_local().replace(day=1),
            received=on_time + late,
            on_time=on_time,
            late=late,
            returned=0,
            online=0,
            source="thong-ke-ho-so.csv",
        )
    )
    db.session.commit()


def _qt10(page: str) -> str:
    return page.split('id="outcome-QT10"')[1].split("</p>")[0]


def test_typed_95_against_imported_30_is_flagged_in_both_languages(
    client, auth, users, assessment, standard_version, center
):
    _submit_with(assessment, users["manager"], standard_version, "95")
    _import(center, on_time=30, late=70)
    auth.login(users["inspector"])
    url = f"/inspections/assessments/{assessment.id}"
    block = _qt10(client.get(url).get_data(as_text=True))
    assert 'data-flagged="1"' in block
    assert "30,0 %" in block and "95,0 %" in block
    assert "chênh lệch 65,0 điểm phần trăm" in block
    assert "thong-ke-ho-so.csv" in block
    client.get("/account/language/en")
    refresh()
    block = _qt10(client.get(url).get_data(as_text=True))
    assert 'data-flagged="1"' in block
    assert "differs from the imported statistics by more than 10.0 percentage points" in block


@pytest.mark.parametrize(("typed", "flagged"), [("38", False), ("40", False), ("41", True)])
def test_no_flag_within_the_tolerance(
    client, auth, users, assessment, standard_version, center, typed, flagged
):
    _submit_with(assessment, users["manager"], standard_version, typed)
    _import(center, on_time=30, late=70)
    auth.login(users["inspector"])
    block = _qt10(client.get(f"/inspections/assessments/{assessment.id}").get_data(as_text=True))
    assert "30,0 %" in block
    assert ('data-flagged="1"' in block) is flagged


def test_the_tolerance_is_a_setting(client, auth, users, assessment, standard_version, center):
    _submit_with(assessment, users["manager"], standard_version, "38")
    _import(center, on_time=30, late=70)
    settings.update_settings(actor=users["admin"], values={"dossier_gap_points": 5})
    db.session.commit()
    auth.login(users["inspector"])
    block = _qt10(client.get(f"/inspections/assessments/{assessment.id}").get_data(as_text=True))
    assert 'data-flagged="1"' in block and "5,0" in block


def test_without_imported_statistics_nothing_is_flagged(
    client, auth, users, assessment, standard_version
):
    _submit_with(assessment, users["manager"], standard_version, "95")
    auth.login(users["inspector"])
    block = _qt10(client.get(f"/inspections/assessments/{assessment.id}").get_data(as_text=True))
    assert 'data-flagged="1"' not in block
    assert "không có trong kỳ này" in block


def test_review_warns_inspectors_about_gates_on_an_unverified_basis(client, auth, users, submitted):
    auth.login(users["inspector"])
    page = client.get(f"/inspections/assessments/{submitted.id}").get_data(as_text=True)
    warning = page.split('id="unverified-gates"')[1].split("</div>")[0]
    for code in ("BM01", "CS02", "TD03"):
        assert f'href="#c-{code}"' in warning
    bm01 = page.split('id="c-BM01"')[1].split("</article>")[0]
    assert 'data-confidence="unverified"' in bm01
    assert "Căn cứ chưa được kiểm chứng trong pháp luật hiện hành" in bm01
    client.get("/account/language/en")
    refresh()
    page = client.get(f"/inspections/assessments/{submitted.id}").get_data(as_text=True)
    assert "3 mandatory gates rest on a legal basis not verified in the current law" in page


def test_authorization_is_unchanged(client, auth, users, assessment, standard_version, center):
    _submit_with(assessment, users["manager"], standard_version, "95")
    _import(center, on_time=30, late=70)
    url = f"/inspections/assessments/{assessment.id}"
    auth.login(users["manager_other"])
    assert client.get(url).status_code in (403, 404)
    auth.logout()
    auth.login(users["officer"])
    assert client.get(url).status_code == 403
    auth.logout()
    auth.login(users["manager"])  # the center's own manager still sees the review
    page = client.get(url).get_data(as_text=True)
    assert 'id="outcome-QT10"' in page
    assert 'id="unverified-gates"' not in page  # the gate warning is for inspectors and admins
