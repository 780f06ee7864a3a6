"""The fast number formatter prints exactly what Babel's format_decimal prints."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.i18n import format_number

VALUES = st.one_of(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(10**9), max_value=10**9),
    # Halves at the rounding digit, where half-to-even and float noise disagree.
    st.integers(min_value=-(10**6), max_value=10**6).map(lambda n: n / 1000 + 0.0005),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False),
)


@settings(max_examples=400, deadline=None)
@given(
    value=VALUES, digits=st.integers(min_value=0, max_value=3), locale=st.sampled_from(["vi", "en"])
)
def test_fixed_decimals_match_babel(value, digits, locale):
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    assert format_number(value, digits, locale=locale) == format_decimal(
        value, format=pattern, locale=locale
    )


@settings(max_examples=300, deadline=None)
@given(value=VALUES, locale=st.sampled_from(["vi", "en"]))
def test_trimmed_decimals_match_babel(value, locale):
    assert format_number(value, 1, trim=True, locale=locale) == format_decimal(
        value, format="#,##0.#", locale=locale
    )


def test_vietnamese_separators():
    assert format_number(1234567.891, 2, locale="vi") == "1.234.567,89"
    assert format_number(Decimal("0.125"), 2, locale="vi") == "0,12"
    assert format_number(90, 1, trim=True, locale="en") == "90"
