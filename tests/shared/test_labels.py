"""Vietnamese values the province types read in English on English pages, as typed in Vietnamese."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.shared import labels


@pytest.mark.parametrize(
    ("hours", "english"),
    [
        (
            "Thứ Hai – Thứ Sáu 7:30–11:30, 13:30–17:00; sáng Thứ Bảy 7:30–11:30",
            "Monday – Friday 7:30–11:30, 13:30–17:00; Saturday morning 7:30–11:30",
        ),
        ("Thứ 2 - Thứ 6: sáng 7:00–11:00, chiều 13:00–17:00", None),
        ("Chủ nhật nghỉ", "Sunday nghỉ"),  # an unknown word stays as typed
    ],
)
def test_opening_hours_name_the_days_in_english(app, hours, english):
    with app.test_request_context():
        with force_locale("en"):
            text = labels.opening_hours(hours)
        with force_locale("vi"):
            assert labels.opening_hours(hours) == hours
    if english:
        assert text == english
    else:
        assert text == "Monday - Friday: morning 7:00–11:00, afternoon 13:00–17:00"


def test_a_legal_basis_cites_its_documents_by_their_english_names(app):
    basis = (
        "NĐ 61/2018/NĐ-CP Điều 13; NĐ 107/2021/NĐ-CP — điều khoản tương ứng của "
        "NĐ 118/2025/NĐ-CP chưa được kiểm chứng"
    )
    with app.test_request_context():
        with force_locale("en"):
            assert labels.legal_references(basis) == (
                "Decree 61/2018/ND-CP, Art. 13; Decree 107/2021/ND-CP; Decree 118/2025/ND-CP"
            )
            assert labels.legal_references("Luật Lưu trữ 33/2024/QH15; QĐ 766/QĐ-TTg") == (
                "Decision 766/QD-TTg; Law 33/2024/QH15"
            )
            assert labels.legal_references("Thực tiễn TTPVHCC Phú Quốc") == "practice of provinces"
            assert labels.document_symbols("Decision 06/2008/QĐ-BNV") == "Decision 06/2008/QD-BNV"
        with force_locale("vi"):
            assert labels.legal_references(basis) == ""


def test_known_values_translate_and_unknown_ones_stay(app):
    with app.test_request_context(), force_locale("en"):
        assert labels.unit_type("phường") == "ward"
        assert labels.subject_area("Đất đai") == "Land"
        assert labels.subject_area("Lĩnh vực riêng") == "Lĩnh vực riêng"
        assert labels.holiday("Quốc khánh") == "National Day"
