"""Passwords a guesser here tries first: a place name, a Vietnamese personal name or one
of the portal's own words, with only digits and symbols added (``VietTri@2026``,
``Haiphong@2026``, ``Tuyenquang@1``, ``NguyenVanAn1990``).

zxcvbn knows English words and names, not ``viettri`` or ``tuyenquang``: these pass its
score. The place names come from ``vietnam-provinces`` (34 provinces, 3,321 communes and
wards), compared without diacritics, case or spaces, and with the usual letter-for-digit
substitutions (``V1etTr1``).
"""

from __future__ import annotations

import functools
import re

from ..shared.text import fold

#: The portal's own words and common words of Vietnamese passwords.
PORTAL_WORDS = (
    "motcuaso",
    "motcua",
    "phutho",
    "matkhau",
    "vietnam",
    "hanoi",
    "saigon",
    "hochiminh",
    "tphcm",
    "congchuc",
    "canbo",
    "quantri",
    "admin",
    "portal",
)

#: Common family, middle and given names (folded), as people put them in passwords.
PERSONAL_NAMES = frozenset(
    [
        "nguyen",
        "tran",
        "le",
        "pham",
        "hoang",
        "huynh",
        "phan",
        "vu",
        "vo",
        "dang",
        "bui",
        "do",
        "ho",
        "ngo",
        "duong",
        "ly",
        "dinh",
        "trinh",
        "doan",
        "mai",
        "cao",
        "lam",
        "luong",
        "ta",
        "van",
        "thi",
        "duc",
        "huu",
        "dinh",
        "ngoc",
        "minh",
        "thanh",
        "anh",
        "an",
        "binh",
        "chi",
        "cuong",
        "dung",
        "dat",
        "giang",
        "ha",
        "hai",
        "han",
        "hanh",
        "hien",
        "hieu",
        "hoa",
        "hung",
        "huong",
        "huy",
        "khanh",
        "khoa",
        "lan",
        "linh",
        "loan",
        "long",
        "mai",
        "my",
        "nam",
        "nga",
        "ngan",
        "nhung",
        "phong",
        "phuong",
        "phuc",
        "quang",
        "quynh",
        "son",
        "tam",
        "tan",
        "thao",
        "thu",
        "thuy",
        "tien",
        "trang",
        "trung",
        "tuan",
        "tung",
        "uyen",
        "viet",
        "vinh",
        "yen",
    ]
)

#: Letter-for-symbol substitutions; "1" stands for i or l, so both readings are tried.
_LEET = ({"@": "a", "4": "a", "0": "o", "3": "e", "5": "s", "$": "s", "7": "t", "!": "i"},)
_ONE = ("i", "l")
_UNIT_PREFIXES = re.compile(r"^(thanh pho|tinh|phuong|xa|dac khu|thi tran|thi xa)\s+")

#: At most this many letters of a password may be left over once its place names,
#: personal names and portal words are taken out, for it to count as one of them.
MAX_LEFTOVER_LETTERS = 3


@functools.cache
def _words() -> frozenset[str]:
    from vietnam_provinces import Province, Ward

    words = set(PORTAL_WORDS)
    for place in [*Province.iter_all(), *Ward.iter_all()]:
        name = _UNIT_PREFIXES.sub("", fold(place.name)).replace(" ", "")
        if len(name) >= 4 and name.isalpha():
            words.add(name)
    # Two-letter names (an, ly, vu …) would eat the letters of any word; they stay as leftovers.
    words.update(n for n in PERSONAL_NAMES if len(n) >= 3)
    return frozenset(words)


def _skeleton(password: str, one: str) -> list[tuple[str, bool]]:
    """The password as letters (substitutions read as letters), each marked whether it
    was typed as a letter; spaces, digits and other symbols are dropped."""
    out = []
    for ch in fold(password):
        if ch.isalpha():
            out.append((ch, True))
        elif ch == "1":
            out.append((one, False))
        elif ch in _LEET[0]:
            out.append((_LEET[0][ch], False))
    return out


def _leftover_letters(skeleton: list[tuple[str, bool]], words: frozenset[str]) -> int | None:
    """Take out the longest known words (longest first, at most five); the letters typed
    that remain, or ``None`` when no known word of at least four letters was found."""
    letters = [ch for ch, _typed in skeleton]
    typed = [t for _ch, t in skeleton]
    used = [False] * len(letters)
    found_long = False
    for _round in range(5):
        best = None
        for i in range(len(letters)):
            if used[i]:
                continue
            j = i
            while j < len(letters) and not used[j]:
                j += 1
            for end in range(j, i + 1, -1):
                if (best is None or end - i > best[1] - best[0]) and "".join(
                    letters[i:end]
                ) in words:
                    best = (i, end)
                    break
        if best is None:
            break
        found_long = found_long or best[1] - best[0] >= 4
        for k in range(*best):
            used[k] = True
    if not found_long:
        return None
    return sum(1 for k in range(len(letters)) if typed[k] and not used[k])


def is_place_or_name_pattern(password: str) -> bool:
    """True for a place name, personal name or portal word with only digits and symbols
    (and at most :data:`MAX_LEFTOVER_LETTERS` letters) added."""
    words = _words()
    for one in _ONE:
        left = _leftover_letters(_skeleton(password, one), words)
        if left is not None and left <= MAX_LEFTOVER_LETTERS:
            return True
    return False
