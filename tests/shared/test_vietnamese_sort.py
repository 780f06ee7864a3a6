"""Names sorted as Vietnamese lists are: by given name, in Vietnamese alphabet order."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from portal.shared.text import vietnamese_sort_key

NAMES = st.lists(
    st.sampled_from(
        [
            "Nguyễn",
            "Trần",
            "Lê",
            "Phạm",
            "Đỗ",
            "Dương",
            "Đặng",
            "Văn",
            "Thị",
            "Hữu",
            "Minh",
            "Anh",
            "Ánh",
            "Ân",
            "Ăn",
            "An",
            "Bình",
            "Đức",
            "Dũng",
            "Hà",
            "Hạ",
            "Hải",
            "Hoa",
            "Hòa",
            "Hùng",
            "Ơn",
            "Ôn",
            "Ong",
            "Ưng",
            "Uyên",
            "Yến",
            "Zoan",
        ]
    ),
    min_size=1,
    max_size=4,
).map(" ".join)


def _sorted(names):
    return sorted(names, key=vietnamese_sort_key)


def test_by_given_name_first():
    names = ["Nguyễn Văn Bình", "Trần Thị An", "Lê Văn Cường"]
    assert _sorted(names) == ["Trần Thị An", "Nguyễn Văn Bình", "Lê Văn Cường"]


def test_d_stroke_after_d_and_before_e():
    names = ["Trần Thị Em", "Lê Văn Đức", "Phạm Văn Dũng", "Hoàng Văn Cường"]
    assert _sorted(names) == ["Hoàng Văn Cường", "Phạm Văn Dũng", "Lê Văn Đức", "Trần Thị Em"]


def test_vowel_letters_in_alphabet_order():
    # a ă â … o ô ơ … u ư
    names = ["X Ân", "X Ăn", "X An", "X Ơn", "X Ôn", "X On", "X Ưng", "X Ung"]
    assert _sorted(names) == ["X An", "X Ăn", "X Ân", "X On", "X Ôn", "X Ơn", "X Ung", "X Ưng"]


def test_tones_after_the_base_letters():
    # Same letters: ngang, huyền, hỏi, ngã, sắc, nặng. Different letters: letters decide.
    assert _sorted(["X Bạ", "X Bá", "X Bã", "X Bả", "X Bà", "X Ba"]) == [
        "X Ba",
        "X Bà",
        "X Bả",
        "X Bã",
        "X Bá",
        "X Bạ",
    ]
    assert _sorted(["X Bác", "X Bạ", "X Ba"]) == ["X Ba", "X Bạ", "X Bác"]
    assert _sorted(["X Hạ", "X Hà", "X Hải"]) == ["X Hà", "X Hạ", "X Hải"]


def test_same_given_name_then_family_and_middle_names():
    names = ["Trần Văn An", "Đỗ Thị An", "Dương Minh An", "Trần Hữu An"]
    assert _sorted(names) == ["Dương Minh An", "Đỗ Thị An", "Trần Hữu An", "Trần Văn An"]


@given(NAMES)
def test_case_and_normalisation_do_not_change_the_order(name):
    assert vietnamese_sort_key(name) == vietnamese_sort_key(name.upper())
    assert vietnamese_sort_key(name) == vietnamese_sort_key(unicodedata.normalize("NFD", name))
    assert vietnamese_sort_key(name) == vietnamese_sort_key("  " + name.replace(" ", "   ") + " ")


@given(NAMES, NAMES)
def test_given_name_decides_before_the_rest(a, b):
    given_a, given_b = a.split()[-1], b.split()[-1]
    if vietnamese_sort_key(given_a) < vietnamese_sort_key(given_b):
        assert vietnamese_sort_key(a) < vietnamese_sort_key(b)


@given(st.lists(NAMES, max_size=12))
def test_sorting_is_stable_under_shuffling(names):
    assert _sorted(names) == _sorted(list(reversed(names)))


def test_empty_name_sorts_first():
    assert _sorted(["Nguyễn An", ""]) == ["", "Nguyễn An"]


@given(NAMES, NAMES)
def test_sort_string_orders_like_the_key(a, b):
    from portal.shared.text import vietnamese_sort_string

    key_order = (vietnamese_sort_key(a) > vietnamese_sort_key(b)) - (
        vietnamese_sort_key(a) < vietnamese_sort_key(b)
    )
    sa_, sb = vietnamese_sort_string(a), vietnamese_sort_string(b)
    assert key_order == (sa_ > sb) - (sa_ < sb)
    assert sa_.isdigit()
