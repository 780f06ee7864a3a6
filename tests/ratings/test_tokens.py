"""The pure token, short-code and text helpers."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.shared import crypto, qr
from portal.shared.text import clean_text, neutralise_formula, one_line

SECRET = "s" * 40


def test_round_trip():
    token = qr.sign(SECRET, "c", 12, 3)
    assert qr.verify(SECRET, token, "c", arity=2) == (12, 3)


def test_every_single_bit_flip_is_rejected():
    token = qr.sign(SECRET, "c", 12, 3)
    raw = token.encode()
    for i in range(len(raw)):
        for bit in range(8):
            flipped = bytearray(raw)
            flipped[i] ^= 1 << bit
            try:
                candidate = flipped.decode()
            except UnicodeDecodeError:
                continue
            if candidate != token:
                assert qr.verify(SECRET, candidate, "c", arity=2) is None


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("c12", "c13"),  # another counter, same MAC
        lambda t: "k" + t[1:],  # kiosk kind with a counter MAC
        lambda t: t + "A",
        lambda t: t * 200,  # 10 KB
        lambda t: urllib.parse.quote(urllib.parse.quote(t + "/")),
        lambda t: "",
        lambda t: t.split(".")[0],
    ],
)
def test_tampered_tokens_are_rejected(mutate):
    token = qr.sign(SECRET, "c", 12, 3)
    assert qr.verify(SECRET, mutate(token), "c", arity=2) is None
    assert qr.verify(SECRET, mutate(token), "k", arity=2) is None


def test_other_secret_or_kind_or_arity_is_rejected():
    token = qr.sign(SECRET, "c", 12, 3)
    assert qr.verify("other" * 10, token, "c", arity=2) is None
    assert qr.verify(SECRET, token, "r", arity=2) is None
    assert qr.verify(SECRET, token, "c", arity=1) is None


@given(st.lists(st.integers(min_value=0, max_value=2**63 - 1), min_size=1, max_size=4))
def test_any_values_round_trip(values):
    token = qr.sign(SECRET, "n", *values)
    assert len(token) <= qr.MAX_TOKEN_LENGTH
    assert qr.verify(SECRET, token, "n", arity=len(values)) == tuple(values)


def test_short_code_round_trip_and_revocation():
    code = qr.short_code(SECRET, 1234, 1)
    assert qr.parse_short_code(code)[0] == 1234
    assert qr.verify_short_code(SECRET, qr.format_short_code(code).lower(), 1234, 1)
    assert not qr.verify_short_code(SECRET, code, 1234, 2)  # reprinted poster
    assert qr.parse_short_code("0O1IL") is None


@pytest.mark.parametrize(
    "text,expected",
    [
        ("0912345678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("091234567a", None),
        ("1" * 30, None),
        ("+84 0912345678", None),
        ("０９１２３４５６７８", None),
        ("", None),
    ],
)
def test_phone_normalisation(text, expected):
    assert crypto.normalise_vn_phone(text) == expected


def test_phone_encryption_and_mask():
    token = crypto.encrypt_phone(SECRET, "+84912345678")
    assert "912345678" not in token
    assert crypto.decrypt_phone(SECRET, token) == "+84912345678"
    assert crypto.decrypt_phone("other" * 10, token) is None
    assert crypto.mask_phone("+84912345678") == "09******78"
    assert crypto.phone_hmac(SECRET, "+84912345678") == crypto.phone_hmac(SECRET, "+84912345678")


def test_clean_text_normalises_and_strips():
    nfd = "Vie\u0302\u0323t Nam"
    assert clean_text(nfd) == "Việt Nam"
    assert clean_text("a\u202eb\u0000c\u200bd") == "abcd"
    assert clean_text("x\r\ny") == "x\ny"
    assert clean_text("👨\u200d👩") == "👨\u200d👩"  # ZWJ sequences survive


@pytest.mark.parametrize("value", ['=HYPERLINK("x")', "+cmd", "@SUM(A1)", "-1+1"])
def test_formula_prefixes_are_neutralised(value):
    assert neutralise_formula(value).startswith("'")


def test_log_lines_cannot_be_split():
    assert "\n" not in one_line("a\r\nfake log line")
