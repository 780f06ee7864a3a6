"""C_self per PRODUCT.md §6 on hand-computed examples (through the services and the view)."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


LEVEL = {"met": 1.0, "partial": 0.5, "not_met": 0.0}


def _by_hand(values: dict) -> float:
    """PRODUCT.md §6 written out for the tiny standard, independently of scoring.rules."""
    a_points = {"C1": 2, "C2": 1, "C3": 1}
    b_points = {"D1": 3, "D2": 1}

    def f(code, value):
        if value is None:
            return 0.0
        if code == "C2":
            return min(float(value) / 80, 1.0)
        if code == "C3":
            return 1.0 if value == "yes" else 0.0
        return LEVEL[value]

    a = sum(f(k, values.get(k)) * p for k, p in a_points.items()) / 4
    if values.get("D1") == "na":
        b = f("D2", values.get("D2")) * 1 / 1
    else:
        b = sum(f(k, values.get(k)) * p for k, p in b_points.items()) / 4
    return 60 * a + 40 * b


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    c1=st.sampled_from([None, "met", "partial", "not_met"]),
    c2=st.one_of(st.none(), st.integers(min_value=0, max_value=200)),
    c3=st.sampled_from([None, "yes", "no"]),
    d1=st.sampled_from([None, "met", "partial", "not_met", "na"]),
    d2=st.sampled_from([None, "met", "partial", "not_met"]),
)
def test_score_matches_the_formula_for_any_answers(tiny, users, c1, c2, c3, d1, d2):
    a, version = tiny
    for answer in list(a.answers):
        db.session.delete(answer)
    db.session.flush()
    db.session.expire(a, ["answers"])
    values = {"C1": c1, "C2": c2, "C3": c3, "D1": d1, "D2": d2}
    given_values = {k: v for k, v in values.items() if v is not None}
    if given_values:
        _answer(a, version, users["manager"], **given_values)
    s = services.score(a)
    assert math.isclose(s.compliance, _by_hand(values), abs_tol=1e-9)
    assert 0 <= s.compliance <= 100
    assert s.answered == len(given_values)
    assert s.gates_ok == (c3 == "yes")
