"""Vietnamese pages write decimals with a comma: every figure of the scores pages, the
dashboards and the officers' page, scanned as a reader sees it (text, not attributes)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from portal.extensions import db
from portal.rankings import services

from .conftest import add_rollup

DOTTED = re.compile(r"(?<![\d.])\d+\.\d{1,2}(?![\d.])|\d\.\d{4,}")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def published(small_period, create_officer, users):
    center = small_period["A"]
    lan = create_officer(center, counter=center.counters[0], full_name="Nguyễn Thị Lan")
    add_rollup(center, (3, 1, 2, 11, 23), scope="officer", key_id=lan.id)
    db.session.commit()
    services.publish(small_period["period"], actor=users["admin"])
    db.session.commit()
    return small_period


def test_no_decimal_point_on_vietnamese_pages(client, auth, users, published):
    period = published["period"]
    year = period.closes_on.year
    public = [
        f"/rankings/?period={period.code}",
        f"/rankings/centers/07900?period={period.code}",
        f"/rankings/years/{year}",
        f"/rankings/methodology?period={period.code}",
    ]
    staff = [
        f"/dashboards/?period={period.code}",
        f"/dashboards/centers/07900?period={period.code}",
        f"/dashboards/years/{year}",
        f"/rankings/officers?center=07900&period={period.code}",
        f"/rankings/officers?center=07900&year={year}",
    ]
    for url in public:
        text = _visible(client.get(url).get_data(as_text=True))
        assert DOTTED.findall(text) == [], url
    auth.login(users["admin"])
    for url in staff:
        html = client.get(url).get_data(as_text=True)
        text = _visible(html)
        assert DOTTED.findall(text) == [], url
    # The figures are there, with a comma.
    board = _visible(client.get(f"/rankings/?period={period.code}").get_data(as_text=True))
    assert re.search(r"\d+,\d\d", board)
