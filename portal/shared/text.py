"""Text helpers for Vietnamese."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics: 'Phường Việt Trì' → 'phuong viet tri'.

    People often type without diacritics on phones, so searches compare folded text.
    """
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().split())


#: Bidirectional overrides/isolates and invisible format characters a comment never needs.
#: ZWJ (U+200D) and ZWNJ (U+200C) stay: emoji sequences and some scripts rely on them.
_STRIP_FORMAT = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u200b\u2060\ufeff"
)


def clean_text(text: str) -> str:
    """NFC-normalise and strip control characters (but newlines and tabs) and bidi overrides.

    Vietnamese typed on different phones arrives as NFC or NFD; after this both compare equal.
    """
    text = unicodedata.normalize("NFC", text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(ch)
        elif ch in _STRIP_FORMAT or unicodedata.category(ch) in ("Cc", "Cs", "Co"):
            continue
        else:
            out.append(ch)
    return "".join(out).strip()


def neutralise_formula(value: str) -> str:
    """For CSV/XLSX exports: a cell starting with ``= + - @`` (or tab/CR) becomes text."""
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def one_line(value: str) -> str:
    """For log lines: CR/LF encoded so user text cannot forge another line."""
    return value.replace("\r", "\\r").replace("\n", "\\n")
