"""Values the features store in English words ("met → partly met") read in the page's language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from portal.audit import sentences


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("vi", "Trả lời: đạt → đạt một phần"), ("en", "Answer: met → partly met")],
)
def test_stored_answer_words_read_in_the_page_language(app, lang, expected):
    with app.test_request_context(), force_locale(lang):
        text = sentences.format_value("summary", {"answer": "met → partly met"})
    assert text == expected


def test_free_text_is_left_as_written(app):
    with app.test_request_context(), force_locale("vi"):
        assert sentences.format_value("reason", "Kiểm tra thực tế: met") == "Kiểm tra thực tế: met"
        assert sentences.format_value("choice", "not_met") == "chưa đạt"
