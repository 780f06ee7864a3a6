"""Every page a person can reach works in English too, at the province's real size.

The crawls of ``test_every_page.py`` (same data, starts and checks), in English: a module
of its own so that the two languages' crawls, the suite's longest tests, run on two xdist
workers at once. A staff member's English pages must also hold no Vietnamese but data
(names and free text read from the database; ``test_english_pages.py``).
"""

from __future__ import annotations

import pytest

from .test_english_pages import allowed_for_demo
from .test_every_page import ROLES, crawl_as, demo_app, english_ids  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def english_allowed(demo_app):  # noqa: F811 - the imported fixture
    """What an English page may hold in Vietnamese: names and free text from the data."""
    return allowed_for_demo()


@pytest.mark.parametrize("who", ROLES)
def test_every_page_a_person_can_reach_works_in_english(
    demo_app,  # noqa: F811 - the imported fixture
    english_ids,  # noqa: F811
    english_allowed,
    who,
):
    crawl_as(demo_app, who, "en", english_ids=english_ids, english_allowed=english_allowed)
