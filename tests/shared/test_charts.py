"""SVG charts: valid XML, escaped labels, values drawn at the right size, an honest empty state."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from portal.shared import charts

NS = {"s": "http://www.w3.org/2000/svg"}
EVIL = '<script>alert("x")</script> & Đạt'


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output; raises on invalid XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox")
    assert root.get("width") == "100%"
    assert root.get("role") == "img"
    title = root.find("s:title", NS)
    assert title is not None and root.get("aria-labelledby") == title.get("id")
    return root


def all_text(root: ET.Element) -> str:
    return " ".join(t for t in root.itertext())


def test_bar_heights_are_proportional_to_values():
    svg = charts.bar_chart(
        [("A", 10), ("B", 40), ("C", 0)], title="Classes", no_data="none", y_max=40
    )
    root = parse(svg)
    bars = root.findall(".//s:rect[@class='bar']", NS)
    heights = [float(b.get("height")) for b in bars]
    assert heights == pytest.approx([charts.PLOT_HEIGHT / 4, charts.PLOT_HEIGHT, 0], abs=0.1)
    # bars stand on the same baseline
    bottoms = {round(float(b.get("y")) + float(b.get("height")), 1) for b in bars}
    assert bottoms == {charts.PLOT_TOP + charts.PLOT_HEIGHT}


def test_bar_axis_rounds_up_when_no_max_given():
    root = parse(charts.bar_chart([("A", 37), ("B", 12)], title="t", no_data="none"))
    tallest = max(float(b.get("height")) for b in root.findall(".//s:rect[@class='bar']", NS))
    assert tallest == pytest.approx(charts.PLOT_HEIGHT * 37 / 50, abs=0.1)  # axis 0..50


def test_labels_and_title_are_escaped():
    for svg in (
        charts.bar_chart([(EVIL, 3)], title=EVIL, no_data=EVIL),
        charts.line_chart([(EVIL, 80.0, 12)], title=EVIL, no_data=EVIL),
        charts.paired_hbar_chart(
            [(EVIL, 70.0, 60.0)], title=EVIL, no_data=EVIL, series=(EVIL, EVIL)
        ),
        charts.scatter_chart(
            [(EVIL, 70.0, 60.0)], title=EVIL, no_data=EVIL, x_label=EVIL, y_label=EVIL
        ),
        charts.no_data_svg(title=EVIL, no_data=EVIL),
    ):
        assert "<script>" not in svg
        root = parse(svg)
        assert not root.findall(".//s:script", NS) and not root.findall(".//script")
        assert "Đạt" in all_text(root)
        assert '<script>alert("x")</script>' in all_text(root)  # shown as text, not markup


def test_line_chart_points_and_n():
    svg = charts.line_chart(
        [("01/2026", 50.0, 10), ("02/2026", None, 0), ("03/2026", 100.0, 1234)],
        title="CSAT",
        no_data="none",
    )
    root = parse(svg)
    points = root.findall(".//s:circle[@class='point']", NS)
    assert [float(p.get("cy")) for p in points] == pytest.approx(
        [charts.PLOT_TOP + charts.PLOT_HEIGHT / 2, charts.PLOT_TOP], abs=0.1
    )
    text = all_text(root)
    assert "n=1.234" in text and "n=0" in text
    # a month without ratings breaks the line: no polyline joins two separated points
    assert not root.findall(".//s:polyline", NS)


def test_paired_hbars_self_vs_verified():
    root = parse(
        charts.paired_hbar_chart(
            [("Khu vực 1", 80.0, 40.0), ("Khu vực 2", None, 100.0)],
            title="Areas",
            no_data="none",
            series=("Tự đánh giá", "Thẩm định"),
        )
    )
    first = root.findall(".//s:rect[@class='bar-first']", NS)
    second = root.findall(".//s:rect[@class='bar-second']", NS)
    assert [float(r.get("width")) for r in first] == pytest.approx([charts.HBAR_WIDTH * 0.8])
    assert [float(r.get("width")) for r in second] == pytest.approx(
        [charts.HBAR_WIDTH * 0.4, charts.HBAR_WIDTH], abs=0.1
    )
    assert "Tự đánh giá" in all_text(root)


def test_scatter_draws_diagonal_and_places_points():
    root = parse(
        charts.scatter_chart(
            [("A", 100.0, 50.0), ("B", 0.0, 0.0)],
            title="Honesty",
            no_data="none",
            x_label="C_self",
            y_label="C_verified",
        )
    )
    diagonal = root.find(".//s:line[@class='diagonal']", NS)
    assert diagonal is not None
    # the diagonal runs from the bottom-left to the top-right corner
    assert float(diagonal.get("x1")) < float(diagonal.get("x2"))
    assert float(diagonal.get("y1")) > float(diagonal.get("y2"))
    a, b = root.findall(".//s:circle[@class='point']", NS)
    assert float(a.get("cx")) == pytest.approx(charts.SCATTER_LEFT + charts.SCATTER_SIZE)
    assert float(a.get("cy")) == pytest.approx(charts.SCATTER_TOP + charts.SCATTER_SIZE / 2)
    assert float(b.get("cy")) == pytest.approx(charts.SCATTER_TOP + charts.SCATTER_SIZE)


def test_hours_need_24_counts_and_draw_24_bars():
    counts = [0] * 24
    counts[9] = 30
    counts[14] = 15
    root = parse(charts.hour_chart(counts, title="Hours", no_data="none"))
    bars = root.findall(".//s:rect[@class='bar']", NS)
    assert len(bars) == 24
    assert float(bars[9].get("height")) == pytest.approx(2 * float(bars[14].get("height")))
    with pytest.raises(ValueError):
        charts.hour_chart([1, 2], title="Hours", no_data="none")


@pytest.mark.parametrize(
    "svg",
    [
        charts.bar_chart([], title="t", no_data="Chưa có dữ liệu"),
        charts.bar_chart([("A", None)], title="t", no_data="Chưa có dữ liệu"),
        charts.line_chart([("01/2026", None, 0)], title="t", no_data="Chưa có dữ liệu"),
        charts.paired_hbar_chart(
            [("A", None, None)], title="t", no_data="Chưa có dữ liệu", series=("a", "b")
        ),
        charts.scatter_chart([], title="t", no_data="Chưa có dữ liệu", x_label="x", y_label="y"),
        charts.hour_chart([0] * 24, title="t", no_data="Chưa có dữ liệu"),
    ],
)
def test_empty_data_renders_no_data_state(svg):
    root = parse(svg)
    assert root.find(".//s:text[@class='chart-empty']", NS).text == "Chưa có dữ liệu"
    assert not root.findall(".//s:rect[@class='bar']", NS)
    assert not root.findall(".//s:circle", NS)


def test_vn_number():
    assert charts.vn_number(1234.5) == "1.234,5"
    assert charts.vn_number(80) == "80"
    assert charts.vn_number(0.25, 2) == "0,25"


# Readability (issue 20): whole month labels, whole-number count ticks, no overlapping labels.


def _texts(root: ET.Element, klass: str) -> list[ET.Element]:
    return root.findall(f".//s:text[@class='{klass}']", NS)


def _extent(t: ET.Element) -> tuple[float, float, float]:
    """(left, right, baseline) of a centred label, with a width estimate of 0.6 em per character
    (Arial/DejaVu average) independent of the module's own constant."""
    size = float(t.get("font-size") or 12)
    half = len(t.text or "") * size * 0.6 / 2
    x = float(t.get("x"))
    return x - half, x + half, float(t.get("y"))


def assert_no_overlap(texts: list[ET.Element]) -> None:
    rows: dict[float, list[tuple[float, float]]] = {}
    for t in texts:
        left, right, y = _extent(t)
        rows.setdefault(y, []).append((left, right))
    for spans in rows.values():
        spans.sort()
        for (_, right), (left, _) in zip(spans, spans[1:], strict=False):
            assert right <= left, f"labels overlap: {spans}"


def test_month_labels_are_whole_in_both_languages():
    from datetime import date

    assert charts.month_label(date(2026, 1, 1)) == "T1/2026"
    assert charts.month_label(date(2026, 12, 1), "vi") == "T12/2026"
    assert charts.month_label(date(2026, 1, 1), "en") == "Jan 2026"
    months = [charts.month_label(date(2025 + m // 12, m % 12 + 1, 1)) for m in range(24)]
    root = parse(
        charts.line_chart(
            [(m, 80.0, 1544 + i) for i, m in enumerate(months)], title="t", no_data="-"
        )
    )
    drawn = [t.text for t in _texts(root, "x-label")]
    assert drawn and drawn[0] == "T1/2025"
    assert all(text in months for text in drawn)  # every drawn label is a whole month
    assert "…" not in all_text(root)


@pytest.mark.parametrize("largest", [1, 2, 3, 5, 7, 13, 37, 99, 1234])
def test_count_axes_have_whole_number_ticks(largest):
    bars = [("A", float(largest)), ("B", 0.0)]
    root = parse(charts.bar_chart(bars, title="t", no_data="-", integer=True))
    ticks = [t.text for t in _texts(root, "tick")]
    assert len(ticks) >= 2
    for tick in ticks:
        assert "," not in tick, ticks  # 12,5 or 3,8 is not a count
    values = [float(t.replace(".", "")) for t in ticks]
    assert values[0] == 0 and values[-1] >= largest
    # the tallest bar reaches its value on the drawn axis
    top = values[-1]
    tallest = max(float(b.get("height")) for b in root.findall(".//s:rect[@class='bar']", NS))
    assert tallest == pytest.approx(charts.PLOT_HEIGHT * largest / top, abs=0.1)


def test_hour_chart_counts_are_integers_and_labels_do_not_overlap():
    root = parse(charts.hour_chart([(h * 7) % 5 for h in range(24)], title="t", no_data="-"))
    assert all("," not in t.text for t in _texts(root, "tick"))
    labels = _texts(root, "x-label")
    assert labels[0].text == "0h" and len(labels) < 24  # thinned, not cut
    assert_no_overlap(labels)


@pytest.mark.parametrize("count", [3, 6, 12, 24, 36])
def test_line_labels_and_n_never_overlap(count):
    points = [
        (f"T{i % 12 + 1}/{2024 + i // 12}", 70.0 + i % 9, 1544 + 55 * i) for i in range(count)
    ]
    root = parse(charts.line_chart(points, title="t", no_data="-"))
    labels, subs = _texts(root, "x-label"), _texts(root, "x-sub")
    assert labels and len(labels) == len(subs)
    assert_no_overlap(labels)
    assert_no_overlap(subs)  # no "n=1.544n=1.599"
    assert_no_overlap(_texts(root, "value"))
    assert {t.text for t in subs} <= {f"n={charts.vn_number(n)}" for _, _, n in points}


def test_long_category_labels_wrap_instead_of_being_cut():
    bars = [("Xuất sắc", 3), ("Tốt", 12), ("Khá", 7), ("Trung bình", 2), ("Yếu", 1)]
    root = parse(charts.bar_chart(bars, title="t", no_data="-", integer=True, unit="trung tâm"))
    words = " ".join(t.text for t in _texts(root, "x-label"))
    for label, _ in bars:
        assert label in words or all(w in words for w in label.split())
    assert "…" not in words
    assert_no_overlap(_texts(root, "x-label"))
    assert root.find(".//s:text[@class='unit']", NS).text == "trung tâm"


def test_area_names_are_wrapped_in_full():
    name = "Cơ sở vật chất, trang thiết bị và ứng dụng công nghệ thông tin tại Bộ phận Một cửa"
    root = parse(
        charts.paired_hbar_chart(
            [(name, 80.0, 70.0)], title="t", no_data="-", series=("Tự đánh giá", "Thẩm định")
        )
    )
    lines = [t.text for t in _texts(root, "row-label")]
    assert " ".join(lines) == name
    for line in lines:
        assert len(line) * 12 * 0.6 <= charts.WIDTH
