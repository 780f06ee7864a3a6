"""C_self per PRODUCT.md §6 on hand-computed examples (through the services and the view)."""

from __future__ import annotations

import math

import pytest
import yaml

from portal.assessments import services
from portal.assessments.services import AnswerInput
from portal.extensions import db
from portal.standards import services as standard_services
from portal.standards.loader import parse_standard

from .conftest import criterion

TINY = {
    "standard": {"code": "tiny", "version": "1", "name_vi": "Nhỏ", "name_en": "Tiny"},
    "areas": [
        {
            "code": "a",
            "name_vi": "A",
            "name_en": "A",
            "weight": 60,
            "criteria": [
                {"code": "C1", "answer": "level", "points": 2},
                {"code": "C2", "answer": "number", "target": 80, "unit": "%", "points": 1},
                {"code": "C3", "answer": "yes_no", "points": 1, "mandatory": True},
            ],
        },
        {
            "code": "b",
            "name_vi": "B",
            "name_en": "B",
            "weight": 40,
            "criteria": [
                {"code": "D1", "answer": "level", "points": 3, "na_allowed": True},
                {"code": "D2", "answer": "level", "points": 1},
            ],
        },
    ],
}
for area in TINY["areas"]:
    for c in area["criteria"]:
        c.update(text_vi="x", text_en="x", legal_basis="NĐ 118/2025/NĐ-CP", confidence="verified")


@pytest.fixture
def tiny(app, create_period, center, users):
    version = standard_services.import_standard(
        parse_standard(yaml.safe_dump(TINY)), actor=None
    ).version
    db.session.commit()
    period = create_period("TINY", version=version)
    a = services.start_assessment(period, center, actor=users["manager"])
    db.session.commit()
    return a, version


def _answer(a, version, manager, **values):
    inputs = {}
    for code, value in values.items():
        c = criterion(version, code)
        if value == "na":
            inputs[c.id] = AnswerInput(not_applicable=True, note="Trung tâm chỉ có một điểm")
        elif c.answer_type == "number":
            inputs[c.id] = AnswerInput(number=str(value))
        else:
            inputs[c.id] = AnswerInput(choice=value)
    errors = services.save_answers(a, inputs, actor=manager)
    db.session.commit()
    assert errors == {}


def test_nothing_answered_scores_zero(tiny):
    a, _ = tiny
    s = services.score(a)
    assert s.compliance == 0
    assert (s.answered, s.total) == (0, 5)
    assert not s.gates_ok


def test_example_one(tiny, users):
    """A = (0.5·2 + 60/80·1 + 1·1) / 4 = 0.6875; B = (D1 N/A) 1·1 / 1 = 1.

    C = 60 × 0.6875 + 40 × 1 = 81.25; the gate C3 is met.
    """
    a, version = tiny
    _answer(a, version, users["manager"], C1="partial", C2=60, C3="yes", D1="na", D2="met")
    s = services.score(a)
    assert {p.area.code: p.score for p in s.areas} == {"a": 0.6875, "b": 1.0}
    assert math.isclose(s.compliance, 81.25)
    assert s.gates_ok and s.failed_gates == []
    assert (s.answered, s.total) == (5, 5)


def test_example_two(tiny, users):
    """A = (1·2 + min(100/80, 1)·1 + 0) / 4 = 0.75; B = (0·3 + 0.5·1) / 4 = 0.125.

    C = 60 × 0.75 + 40 × 0.125 = 50; the gate C3 is not met.
    """
    a, version = tiny
    _answer(a, version, users["manager"], C1="met", C2=100, C3="no", D1="not_met", D2="partial")
    s = services.score(a)
    assert {p.area.code: p.score for p in s.areas} == {"a": 0.75, "b": 0.125}
    assert math.isclose(s.compliance, 50.0)
    assert not s.gates_ok and s.failed_gates == ["C3"]


def test_partial_answers_count_unanswered_as_zero(tiny, users):
    """Only C1 met: A = 2/4 = 0.5, B = 0/4 = 0 → C = 30."""
    a, version = tiny
    _answer(a, version, users["manager"], C1="met")
    s = services.score(a)
    assert math.isclose(s.compliance, 30.0)
    assert [(p.answered, p.total) for p in s.areas] == [(1, 3), (0, 2)]


def test_live_score_in_the_json_response(client, auth, users, tiny):
    a, version = tiny
    auth.login(users["manager"])
    data = {"revision": a.revision}
    for code, value in {"C1": "partial", "C3": "yes", "D2": "met"}.items():
        cid = criterion(version, code).id
        data[f"c{cid}-present"] = "1"
        data[f"c{cid}-choice"] = value
    cid = criterion(version, "C2").id
    data |= {f"c{cid}-present": "1", f"c{cid}-number": "60"}
    cid = criterion(version, "D1").id
    data |= {f"c{cid}-present": "1", f"c{cid}-na": "1", f"c{cid}-note": "Không có điểm phụ"}
    response = client.post(
        f"/assessments/{a.id}", data=data, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["answered"] == 5 and body["total"] == 5
    assert body["compliance"] == pytest.approx(81.25, abs=0.05)
    assert body["gates_ok"] is True
    assert {x["code"]: x["score"] for x in body["areas"]} == {"a": 68.8, "b": 100.0}


def test_default_standard_all_met_scores_100(assessment, users, standard_version):
    inputs = {}
    for c in standard_version.criteria:
        if c.answer_type == "number":
            inputs[c.id] = AnswerInput(number=str(c.target))
        else:
            inputs[c.id] = AnswerInput(choice="met" if c.answer_type == "level" else "yes")
    assert services.save_answers(assessment, inputs, actor=users["manager"]) == {}
    s = services.score(assessment)
    assert math.isclose(s.compliance, 100.0) and s.gates_ok
