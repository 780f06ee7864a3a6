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
    """For CSV/XLSX exports: a cell starting with ``= + - @`` (or tab/CR) becomes text.

    The rule lives in :mod:`portal.shared.spreadsheet`, shared by every export."""
    from .spreadsheet import neutralise

    return neutralise(value)


def one_line(value: str) -> str:
    """For log lines: CR/LF encoded so user text cannot forge another line."""
    return value.replace("\r", "\\r").replace("\n", "\\n")


#: The Vietnamese alphabet (with the foreign letters f, j, w, z at their Latin places).
_VI_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_VI_LETTER_RANK = {letter: i + 1 for i, letter in enumerate(_VI_ALPHABET)}
#: Tone marks in dictionary order: ngang (none), huyền, hỏi, ngã, sắc, nặng.
_VI_TONE_RANK = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MODIFIERS = frozenset("\u0306\u0302\u031b")  # breve, circumflex, horn: part of the letter


def _vi_word_key(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(letters, tones) of one word; letters compare first, tones only break ties."""
    letters: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFC", word.lower()):
        decomposed = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in decomposed if c not in _VI_TONE_RANK)
        tone = next((_VI_TONE_RANK[c] for c in decomposed if c in _VI_TONE_RANK), 0)
        base = unicodedata.normalize("NFC", base)
        rank = _VI_LETTER_RANK.get(base)
        if rank is None:
            # Digits and other characters: after the letters, in code point order.
            stripped = "".join(
                c for c in unicodedata.normalize("NFD", base) if c not in _LETTER_MODIFIERS
            )
            rank = _VI_LETTER_RANK.get(stripped, 100 + ord(base[0]) if base else 100)
        letters.append(rank)
        tones.append(tone)
    return tuple(letters), tuple(tones)


def vietnamese_sort_key(full_name: str) -> tuple:
    """Sort key for a Vietnamese full name, as Vietnamese lists are ordered.

    By the given name (the last word) first, then the rest of the name as written
    (family name, middle names), each word in Vietnamese alphabet order (a ă â b c d đ …,
    so Đ comes after D) with the tone deciding only between otherwise equal words.
    Case and NFC/NFD differences are ignored.
    """
    words = (full_name or "").split()
    if not words:
        return ((), ())
    given = _vi_word_key(words[-1])
    rest = tuple(_vi_word_key(w) for w in words[:-1])
    return (given, rest)


def vietnamese_sort_string(full_name: str, *, max_length: int = 500) -> str:
    """:func:`vietnamese_sort_key` as a string of digits, for an indexed ``ORDER BY``.

    Each word is its letters (three digits each), ``000``, its tones (one digit each,
    1–6) and ``0``: comparing two such strings compares the keys, in any collation.
    """
    given, rest = vietnamese_sort_key(full_name)
    if not given:
        return ""
    parts = []
    for letters, tones in (given, *rest):
        parts.append("".join(f"{min(r, 999):03d}" for r in letters) + "000")
        parts.append("".join(str(t + 1) for t in tones) + "0")
    return "".join(parts)[:max_length]
