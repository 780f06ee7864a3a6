"""The YAML validator: the default standard, and precise errors for bad files."""

from __future__ import annotations

import math
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.standards import services
from portal.standards.loader import StandardFileError, parse_standard

DEFAULT = services.DEFAULT_STANDARD_FILE.read_text(encoding="utf-8")

PROVINCE_AREAS = {
    "personnel": "Nhân lực",
    "equipment": "Trang thiết bị",
    "facilities": "Cơ sở vật chất",
    "processes": "Quy trình nghiệp vụ",
    "forms": "Biểu mẫu",
    "records": "Hồ sơ",
    "attitude": "Thái độ làm việc",
}


def test_default_standard_is_valid_and_complete():
    spec = parse_standard(DEFAULT)
    assert {a.code: a.name_vi for a in spec.areas} == PROVINCE_AREAS
    assert len(spec.criteria) >= 40
    assert math.isclose(sum(a.weight for a in spec.areas), 100)
    # DOMAIN.md §6 suggested weights are the defaults.
    assert {a.code: a.weight for a in spec.areas} == {
        "personnel": 15,
        "equipment": 15,
        "facilities": 15,
        "processes": 20,
        "forms": 10,
        "records": 10,
        "attitude": 15,
    }
    for c in spec.criteria:
        assert c.legal_basis.strip(), c.code
        assert c.text_vi.strip() and c.text_en.strip(), c.code
        assert c.confidence in {"verified", "secondary", "province_practice", "unverified"}, c.code
    codes = [c.code for c in spec.criteria]
    assert len(codes) == len(set(codes))


def test_default_standard_gates_are_verified_legal_duties():
    spec = parse_standard(DEFAULT)
    gates = {c.code: c for c in spec.criteria if c.mandatory}
    # DOMAIN.md §6: TTHC publicity, receipt/refusal forms, counters by field,
    # digitisation, satisfaction monitoring, civil-servant card.
    assert set(gates) == {"QT01", "BM01", "CS02", "QT02", "QT08", "TD03"}
    # CS02, TD03 and BM01 cite replaced texts (ND 61/107, QĐ 06/2008, TT 01/2018): labelled
    # so, never "verified".
    assert {k: c.confidence for k, c in gates.items() if c.confidence != "verified"} == {
        "BM01": "unverified",
        "CS02": "unverified",
        "TD03": "unverified",
    }


def test_default_standard_has_one_stop_digital_items_in_several_areas():
    spec = parse_standard(DEFAULT)
    areas_with_digital = {a.code for a in spec.areas for c in a.criteria if c.digital}
    assert len(areas_with_digital) >= 5


def test_unverified_rules_are_not_presented_as_verified_law():
    spec = parse_standard(DEFAULT)
    by_code = {c.code: c for c in spec.criteria}
    # DOMAIN.md §7: accessibility ramps, uniforms have no verified legal basis.
    assert by_code["CS10"].confidence == "province_practice"
    assert by_code["TD04"].confidence == "province_practice"


def test_no_criterion_citing_a_replaced_text_claims_a_verified_basis():
    """DOMAIN.md §0: ND 118/2025 replaced ND 61/2018 and ND 107/2021; QĐ 06/2008 may be
    superseded; their equivalents in the current law were not verified."""
    spec = parse_standard(DEFAULT)
    replaced = ("61/2018", "107/2021", "06/2008")
    citing = {
        c.code: c.confidence for c in spec.criteria if any(r in c.legal_basis for r in replaced)
    }
    # Since 2026.3 the TT 01/2018 criteria say it guided ND 61/2018: they are caught too.
    assert set(citing) == {
        *("NL01", "NL02", "CS01", "CS02", "CS03", "CS04", "QT09", "TD01", "TD03"),
        *("CS07", "BM01", "BM03", "TD05", "TD06"),
    }
    assert set(citing.values()) == {"unverified"}


def test_td05_is_an_informational_hint_that_scores_nothing():
    spec = parse_standard(DEFAULT)
    td05 = next(c for c in spec.criteria if c.code == "TD05")
    assert td05.points == 0 and td05.auto_source == "satisfaction_csat"
    assert "S_adj" in spec.description_en and "TD05" in spec.description_en
    problems = _problems(DEFAULT.replace("        auto_source: satisfaction_csat\n", "", 1))
    assert any("criterion TD05: points must be greater than 0" in p for p in problems)


def test_the_previous_version_stays_available_unchanged():
    old = (services.DEFAULT_STANDARD_FILE.parent / "mot_cua_so_phu_tho_2025.1.yaml").read_text(
        encoding="utf-8"
    )
    spec = parse_standard(old)
    assert spec.version == "2025.1"
    assert next(c for c in spec.criteria if c.code == "TD05").points == 3


def _problems(text: str) -> list[str]:
    with pytest.raises(StandardFileError) as info:
        parse_standard(text)
    return info.value.problems


def test_yaml_syntax_error_names_the_line():
    text = DEFAULT.replace("    weight: 15\n", "    weight: [15\n", 1)
    problems = _problems(text)
    assert len(problems) == 1
    assert re.match(r"line \d+: not valid YAML", problems[0])


def test_bad_criterion_error_names_line_and_criterion():
    lines = DEFAULT.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "code: TB05" in line)
    bad = DEFAULT.replace(
        "        answer: yes_no\n        points: 2\n        evidence: [photo]\n      - code: TB06",
        "        answer: maybe\n        points: 2\n        evidence: [photo]\n      - code: TB06",
        1,
    )
    assert bad != DEFAULT
    problems = _problems(bad)
    assert problems == [
        f"line {index + 1}: criterion TB05: answer must be one of level, number, yes_no"
    ]


def test_missing_legal_basis_is_refused():
    bad = re.sub(
        r"        legal_basis: QĐ 06/2008/QĐ-BNV \(mẫu thẻ công chức\).*\n", "", DEFAULT, count=1
    )
    assert any("criterion TD03: 'legal_basis' is required" in p for p in _problems(bad))


def test_weights_must_sum_to_100():
    bad = DEFAULT.replace("    weight: 20\n", "    weight: 25\n", 1)
    assert any("area weights sum to 105, they must sum to 100" in p for p in _problems(bad))


def test_number_criterion_needs_target_and_duplicates_are_refused():
    bad = DEFAULT.replace("        target: 100\n", "", 1).replace("code: NL02", "code: NL01", 1)
    problems = _problems(bad)
    assert any(
        "criterion NL05: a 'number' criterion needs a positive 'target'" in p for p in problems
    )
    assert any("criterion NL01: duplicate criterion code" in p for p in problems)


def test_unknown_keys_and_values_are_refused():
    bad = DEFAULT.replace("        confidence: unverified\n", "        confidence: sure\n", 1)
    bad = bad.replace("        points: 3\n", "        points: 3\n        pionts: 3\n", 1)
    problems = _problems(bad)
    assert any("criterion NL01: confidence must be one of" in p for p in problems)
    assert any("criterion NL01: unknown key 'pionts'" in p for p in problems)


def test_not_a_mapping():
    assert _problems("- just\n- a list\n") == [
        "line 1: the file must be a mapping with 'standard' and 'areas'"
    ]


def test_checksum_ignores_formatting_but_not_content():
    spec = parse_standard(DEFAULT)
    reformatted = yaml.safe_dump(yaml.safe_load(DEFAULT), allow_unicode=True, sort_keys=True)
    assert parse_standard(reformatted).checksum == spec.checksum
    changed = DEFAULT.replace("points: 3", "points: 4", 1)
    assert parse_standard(changed).checksum != spec.checksum


def _minimal(weights: list[float], points: list[float]) -> dict:
    return {
        "standard": {"code": "t", "version": "1", "name_vi": "T", "name_en": "T"},
        "areas": [
            {
                "code": f"a{i}",
                "name_vi": "A",
                "name_en": "A",
                "weight": w,
                "criteria": [
                    {
                        "code": f"C{i}",
                        "text_vi": "x",
                        "text_en": "x",
                        "legal_basis": "NĐ 118/2025/NĐ-CP",
                        "confidence": "verified",
                        "answer": "level",
                        "points": points[i % len(points)],
                    }
                ],
            }
            for i, w in enumerate(weights)
        ],
    }


@settings(max_examples=60, deadline=None)
@given(
    weights=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=8),
    points=st.lists(st.integers(min_value=-3, max_value=10), min_size=1, max_size=3),
)
def test_validator_accepts_exactly_the_valid_files(weights, points):
    """Property: a file is accepted iff weights sum to 100 and every criterion has points > 0."""
    text = yaml.safe_dump(_minimal(weights, points))
    used_points = [points[i % len(points)] for i in range(len(weights))]
    valid = sum(weights) == 100 and all(p > 0 for p in used_points)
    try:
        spec = parse_standard(text)
    except StandardFileError as exc:
        assert not valid, exc.problems
        assert all(re.match(r"line \d+: ", p) for p in exc.problems)
    else:
        assert valid
        assert len(spec.criteria) == len(weights)
