"""Officers' classification: S_adj shrunk toward the center, a class on configurable bands,
visible to the manager and inspectors only, and the appraisal sheet read back."""

from __future__ import annotations

import io
from fractions import Fraction

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.extensions import db
from portal.scoring import rules
from portal.settings import services as operational

from .conftest import add_rollup

scores = st.decimals(min_value=0, max_value=100, places=3, allow_nan=False)


@given(scores, scores)
def test_officer_class_is_monotonic(a, b):
    order = list(rules.OfficerClass)  # best first
    lo, hi = sorted((a, b))
    assert order.index(rules.officer_class(hi)) <= order.index(rules.officer_class(lo))


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (90.004, "good"),  # shown 90.00: not above 90
        (90.005, "excellent"),  # shown 90.01
        (80, "done"),
        (80.01, "good"),
        (50, "done"),
        (49.995, "done"),  # shown 50.00
        (49.994, "not_done"),
    ],
)
def test_officer_bands_read_the_shown_value(score, expected):
    assert rules.officer_class(score) == expected


def test_bands_must_decrease():
    with pytest.raises(ValueError):
        rules.officer_class(70, (80, 90, 50))


@pytest.fixture
def rated(small_period, create_officer):
    """Two officers of Việt Trì: Lan with 40 ratings, Bình with 5 (below the minimum n)."""
    center = small_period["A"]
    lan = create_officer(center, counter=center.counters[0], full_name="Nguyễn Thị Lan")
    binh = create_officer(center, counter=center.counters[1], full_name="Lê Văn Bình")
    add_rollup(center, (4, 0, 0, 10, 26), scope="officer", key_id=lan.id)
    add_rollup(center, (0, 0, 5, 0, 0), scope="officer", key_id=binh.id)
    db.session.commit()
    return {**small_period, "lan": lan, "binh": binh}


def _own_adjusted(counts, center_counts, m=30) -> Fraction:
    def index(c):
        return Fraction(sum(i * k for i, k in enumerate(c)) * 100, 4 * sum(c))

    n = sum(counts)
    return (n * index(counts) + m * index(center_counts)) / (n + m)


def test_officers_page_shows_s_adj_and_class(client, auth, users, rated):
    auth.login(users["manager"])
    html = client.get("/rankings/officers?center=07900").get_data(as_text=True)
    lan = _own_adjusted((4, 0, 0, 10, 26), (0, 0, 0, 9, 241))
    shown = f"{rules.shown(lan):.2f}".replace(".", ",")
    assert shown in html
    assert rules.officer_class(lan) == "excellent"
    assert "Hoàn thành xuất sắc nhiệm vụ" in html
    assert html.count("chưa đủ đánh giá") >= 2  # Bình: 5 ratings (class and ranks)
    assert "Chưa được kiểm chứng:" in html


def test_bands_are_a_setting(client, auth, users, rated):
    operational.update_settings(
        actor=users["admin"],
        values={"officer_band_excellent": 98.0, "officer_band_good": 95.0},
    )
    db.session.commit()
    auth.login(users["inspector"])
    html = client.get("/rankings/officers?center=07900").get_data(as_text=True)
    lan = _own_adjusted((4, 0, 0, 10, 26), (0, 0, 0, 9, 241))
    assert rules.officer_class(lan, (98, 95, 50)) == "done"
    assert '<td class="officer-class">Hoàn thành nhiệm vụ<' in html


def test_sheet_reads_back_with_the_method(client, auth, users, rated):
    auth.login(users["inspector"])
    response = client.get("/rankings/officers.xlsx?center=07900")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    sheet = book.active
    cells = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    text = " ".join(str(c) for row in cells for c in row if c is not None)
    assert "S_adj" in text and "m = 30" in text
    assert "DOMAIN.md §3" in text
    header = next(i for i, row in enumerate(cells) if row[0] == "Mã trung tâm")
    body = {row[2]: row for row in cells[header + 1 :] if row[2]}
    lan = body["Nguyễn Thị Lan"]
    expected = _own_adjusted((4, 0, 0, 10, 26), (0, 0, 0, 9, 241))
    assert lan[4] == 40
    assert lan[9] == float(rules.shown(expected))
    assert isinstance(lan[9], float)
    assert lan[10] == "Hoàn thành xuất sắc nhiệm vụ"
    assert body["Lê Văn Bình"][10] == "chưa đủ đánh giá"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("inspector", 200),
        ("manager", 200),
        ("inspector_other", 403),
        ("manager_other", 403),
        ("officer", 403),
        (None, 302),
    ],
)
def test_sheet_and_page_are_never_public(client, auth, users, rated, who, status):
    if who:
        auth.login(users[who])
    for url in ("/rankings/officers.xlsx?center=07900", "/rankings/officers?center=07900"):
        assert client.get(url).status_code == status, url


@given(
    st.lists(st.integers(0, 50), min_size=5, max_size=5).filter(lambda c: sum(c) > 0),
    st.fractions(min_value=0, max_value=100),
    st.integers(0, 100),
)
def test_officer_s_adj_lies_between_own_index_and_the_center(counts, center_index, m):
    """Shrinking never overshoots: S_adj is between the officer's S and the center's,
    nearer the officer's as n grows."""
    s = rules.satisfaction(counts).index_exact
    adjusted = rules.adjusted_index_exact(sum(counts), s, center_index, m)
    assert min(s, center_index) <= adjusted <= max(s, center_index)
    more = rules.adjusted_index_exact(sum(counts) * 2, s, center_index, m)
    assert abs(more - s) <= abs(adjusted - s)


def test_officers_page_says_why_an_officer_is_not_ranked(client, auth, users, rated):
    auth.login(users["manager"])
    html = client.get("/rankings/officers?center=07900").get_data(as_text=True)
    row = html.split(f'id="officer-{rated["binh"].id}"', 1)[1].split("</tr>", 1)[0]
    assert "chưa đủ đánh giá: 5 trên 30 cần có" in row
    assert "Quầy 2" in row  # the counter beside the name
    note = html.split('id="unranked"', 1)[1].split("</p>", 1)[0]
    assert "1 trên 2 công chức có ít hơn 30 đánh giá" in note
