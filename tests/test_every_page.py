"""Every page a person can reach works, for every role, at the province's real size.

The data is what ``flask demo seed`` gives a new user of ``make run`` (Phú Thọ's 149
centers, thousands of ratings, complaint cases, a checklist period). For each demo
role and for an anonymous visitor, in Vietnamese and in English, the test starts
where that person starts and follows every link it finds, like a person clicking
through the portal. It fails on:

- a link that leads to an error (any 4xx or 5xx) or raises in a template;
- a page in Vietnamese that shows an English message id from the catalogue;
- a staff page without the menu, or a public page without a link to somewhere else.

Links are grouped by route and the names of their query arguments; each group is
visited up to ``PER_ROUTE`` times (the first, second and last page of a list; several
centers, counters, officers and cases), so the crawl stays fast while new pages are
picked up by themselves as soon as a link points to them.
"""

from __future__ import annotations

import os
import re
from collections import Counter as Tally
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from portal import create_app
from portal.centers.models import Counter
from portal.demo.services import demo_accounts
from portal.extensions import db
from portal.ratings import services as rating_services
from portal.ratings.models import Rating

from .conftest import IsolatedClient, copy_demo
from .test_english_pages import add_official_holidays, vietnamese_left

ROOT = Path(__file__).resolve().parent.parent
PER_ROUTE = 3
MAX_PAGES = 1500

#: Every route some crawl of this module reached (checked by the last test).
REACHED: set[str] = set()

#: Links that are not pages: they change the session or only switch the language.
NOT_PAGES = {"static", "accounts.language"}


@pytest.fixture(scope="module")
def demo_app(demo_template, tmp_path_factory):
    """An app on a copy of `flask demo seed`'s data, shared by every crawl of this module."""
    with pytest.MonkeyPatch.context() as mp, copy_demo(demo_template, tmp_path_factory) as demo:
        mp.setenv("PORTAL_ENV", "testing")
        tmp = tmp_path_factory.mktemp("every-page")
        app = create_app(
            {
                **demo.config(),
                "INSTANCE_TMP": str(tmp),
                "PUBLIC_BASE_URL": "https://danhgia.example.vn",
                # Every crawl is one visitor from one address: no login or lookup limit.
                "RATELIMIT_ENABLED": False,
            }
        )
        app.test_client_class = IsolatedClient
        with app.app_context():
            add_official_holidays()  # so that the English crawls read them too
            yield app
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def english_ids() -> set[str]:
    """Message ids whose Vietnamese translation differs: seeing one on a vi page is a bug."""
    with open(ROOT / "translations" / "vi" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale="vi")
    ids = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple):
            continue
        if "%(" in message.id or not re.search(r"[A-Za-z]{3}", message.id):
            continue
        if message.string and message.string != message.id:
            ids.add(message.id)
    return ids


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self.has_menu = False
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("id") == "nav-toggle":
            self.has_menu = True
        for name in ("aria-label", "title", "placeholder", "alt"):
            if attrs.get(name):
                self.texts.append(attrs[name].strip())
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"].strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


@dataclass
class Crawl:
    visited: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    routes: set[str] = field(default_factory=set)


def crawl(
    app, client, start: list[str], *, lang: str, signed_in: bool, english_ids, allowed=None
) -> Crawl:
    """Follow every link from ``start``; with ``allowed``, also check that each page holds
    no Vietnamese but data (``tests/test_english_pages.py``)."""
    adapter = app.url_map.bind("localhost")
    result = Crawl()
    queue = deque((url, None) for url in start)
    seen: set[str] = set()
    per_route: Tally = Tally()
    while queue and len(result.visited) < MAX_PAGES:
        url, source = queue.popleft()
        parts = urlsplit(url)
        if (parts.scheme or parts.netloc) and parts.netloc not in ("localhost", ""):
            continue  # another site (none should be linked, but it is not ours to test)
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if url in seen or not url.startswith("/"):
            continue
        seen.add(url)
        try:
            endpoint, _args = adapter.match(parts.path, method="GET")
        except RequestRedirect as redirect:
            queue.append((redirect.new_url, source))
            continue
        except (NotFound, MethodNotAllowed):
            result.problems.append(f"{url} (linked from {source}): no such page")
            continue
        if endpoint in NOT_PAGES or "lang" in dict(parse_qsl(parts.query)):
            continue  # the language switch is tested by the crawl in the other language
        key = (endpoint, frozenset(k for k, _v in parse_qsl(parts.query)))
        if per_route[key] >= PER_ROUTE:
            continue
        per_route[key] += 1
        result.routes.add(endpoint)
        headers = {"Referer": f"http://localhost{source}"} if source else {}
        try:
            response = client.get(url, headers=headers)
        except Exception as exc:  # a template or view error propagates in testing
            result.problems.append(f"{url} (linked from {source}): {type(exc).__name__}: {exc}")
            continue
        result.visited.append((url, response.status_code))
        if response.status_code in (301, 302, 303, 307, 308):
            queue.append((response.headers["Location"], url))
            continue
        if response.status_code >= 400:
            result.problems.append(f"{url} (linked from {source}): HTTP {response.status_code}")
            continue
        if response.mimetype != "text/html":
            response.close()  # a served file (evidence photo) is streamed: close it
            continue
        page = _Page()
        page.feed(response.get_data(as_text=True))
        problems = _check_page(page, url, lang=lang, signed_in=signed_in, english_ids=english_ids)
        result.problems.extend(problems)
        if allowed is not None:
            result.problems.extend(vietnamese_left(allowed, url, page.texts))
        for href in page.links:
            if href.startswith(("mailto:", "tel:", "#", "javascript:")):
                continue
            queue.append((href.split("#", 1)[0], url))
    return result


def _check_page(page: _Page, url: str, *, lang: str, signed_in: bool, english_ids) -> list[str]:
    problems = []
    if lang == "vi":
        english = sorted({t for t in page.texts if t in english_ids})
        if english:
            problems.append(f"{url}: untranslated on a Vietnamese page: {english[:5]}")
    if signed_in and not page.has_menu:
        problems.append(f"{url}: no menu")
    if not signed_in:
        own = url.split("?", 1)[0]
        elsewhere = [
            h for h in page.links if h.startswith("/") and h.split("?", 1)[0] not in (own,)
        ]
        if own.startswith("/kiosk/"):
            # A kiosk never leads away from itself: every page returns to its start.
            if not [h for h in page.links if h.startswith("/kiosk/")]:
                problems.append(f"{url}: no way back to the kiosk's start")
        elif not [h for h in elsewhere if not h.startswith("/account/language")]:
            problems.append(f"{url}: no way to go anywhere else")
    return problems


def _login(client, username: str, password: str) -> None:
    response = client.post("/account/login", data={"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not log in"


def _citizen_start(app) -> list[str]:
    """Where citizens start: a counter's QR, a kiosk, a short code and a tracking code."""
    counter = db.session.scalar(sa.select(Counter).order_by(Counter.id))
    tracking = db.session.scalar(
        sa.select(Rating.tracking_code).where(Rating.comment != "").order_by(Rating.id)
    )
    return [
        "/",
        f"/r/{rating_services.counter_token(counter)}",
        f"/kiosk/{rating_services.counter_token(counter, kiosk=True)}",
        f"/r/?code={rating_services.counter_short_code(counter)}",
        f"/t/?code={tracking}",
        "/api/v1/centers",
        "/api/v1/centers/07900/satisfaction",
        "/api/v1/openapi.json",
    ]


#: The least a crawl must see: the officer and a citizen have only a few pages.
MIN_PAGES = {"canbo": 6, "anonymous": 7}
ROLES = [acc.username for acc in demo_accounts(25)] + ["anonymous"]


@pytest.mark.parametrize("who", ROLES)
def test_every_page_a_person_can_reach_works(demo_app, english_ids, who):
    """Every page works in Vietnamese (``test_every_page_english.py``: in English)."""
    crawl_as(demo_app, who, "vi", english_ids=english_ids)


def crawl_as(demo_app, who: str, lang: str, *, english_ids, english_allowed=None) -> None:
    """``who`` crawls the portal in ``lang`` from where that person starts; with
    ``english_allowed``, a staff member's pages must hold no Vietnamese but data."""
    client = demo_app.test_client()
    client.get(f"/?lang={lang}")
    if who == "anonymous":
        start = _citizen_start(demo_app)
    else:
        account = next(a for a in demo_accounts(25) if a.username == who)
        _login(client, account.username, account.password)
        start = ["/", "/start"]
    staff_in_english = lang == "en" and who != "anonymous"
    result = crawl(
        demo_app,
        client,
        start,
        lang=lang,
        signed_in=who != "anonymous",
        english_ids=english_ids,
        allowed=english_allowed if staff_in_english else None,
    )
    assert result.problems == [], "\n".join(result.problems)
    # The crawl really went through the portal, not just the start page.
    assert len(result.visited) >= MIN_PAGES.get(who, 20), result.visited
    REACHED.update(result.routes)
    print(f"{who}/{lang}: {len(result.visited)} pages, {len(result.routes)} routes")


def test_each_role_lands_on_a_working_page_of_its_own(demo_app):
    landings = {"admin": "/dashboards/", "thanhtra": "/dashboards/", "canbo": "/ratings/me"}
    for account in demo_accounts(25):
        client = demo_app.test_client()
        response = client.post(
            "/account/login", data={"username": account.username, "password": account.password}
        )
        assert response.status_code == 302
        landing = client.get(response.headers["Location"])
        assert landing.status_code == 302
        page = client.get(landing.headers["Location"])
        assert page.status_code == 200, account.username
        path = urlsplit(landing.headers["Location"]).path
        if account.username in landings:
            assert path == landings[account.username]
        else:
            assert path == "/dashboards/centers/07900"  # the manager's own center's dashboard


def test_a_server_error_keeps_the_menu_and_never_links_to_itself(demo_app, monkeypatch):
    from portal.centers import views as center_views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(center_views, "render_template", broken)
    demo_app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        client = demo_app.test_client()
        account = next(a for a in demo_accounts(25) if a.role == "admin")
        _login(client, account.username, account.password)
        response = client.get("/centers/", headers={"Referer": "http://localhost/start"})
    finally:
        demo_app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    page = _Page()
    page.feed(html)
    assert page.has_menu
    way_out = _Page()
    way_out.feed(html[html.index('<section class="error-page">') :])
    assert "/centers/" not in way_out.links  # the way out is never the failing page
    assert way_out.links[:2] == ["/start", "/start"] or "/start" in way_out.links
    assert "Đã có lỗi xảy ra" in html


def test_error_page_survives_a_broken_menu(demo_app, monkeypatch):
    """If even the menu cannot be drawn, the error page still offers a way out."""
    import portal.navigation as navigation

    def broken(user):
        raise RuntimeError("menu down")

    monkeypatch.setattr(navigation, "menu_for", broken)
    demo_app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        client = demo_app.test_client()
        account = next(a for a in demo_accounts(25) if a.role == "admin")
        _login(client, account.username, account.password)
        response = client.get("/no-such-page")
    finally:
        demo_app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 404
    assert 'href="/"' in response.get_data(as_text=True)


@pytest.mark.skipif(
    os.environ.get("TEST_DATABASE_URL") is not None, reason="one database is enough for this"
)
def test_pager_links_to_page_two_and_the_last_page(demo_app):
    client = demo_app.test_client()
    account = next(a for a in demo_accounts(25) if a.role == "admin")
    _login(client, account.username, account.password)
    html = client.get("/centers/").get_data(as_text=True)
    assert "/centers/?page=2" in html
    last = max(int(n) for n in re.findall(r"/centers/\?page=(\d+)", html))
    assert last >= 3
    assert client.get(f"/centers/?page={last}").status_code == 200


#: GET routes no person reaches by a link, and why.
UNLINKED = {
    "main.healthz": "for the load balancer",
    "admin.index": "redirects to the users list",
    "admin.center_options": "JSON for the center picker, fetched by its script",
    "ratings.receipt_slip": "shown after issuing a receipt (a POST)",
    "rate.thanks": "shown after sending a rating (a POST); tests/ratings/test_citizen_pages.py",
    "assessments.submit_confirm": "shown after pressing Submit on a complete checklist (a POST "
    "that saves the answers first); tests/assessments/test_flow.py",
    "rate.erase_confirm": "linked from a tracking page that still holds personal data; "
    "tests/ratings/test_citizen_pages.py",
    "inspections.visit_report": "a PDF linked from inspections with visits; "
    "tests/inspections/test_views.py",
    "documents.visit_record": "a PDF or Word file linked from inspections with visits; "
    "tests/documents/test_views.py",
    "documents.center_lookup": "the documents page's GET form (a center code); "
    "tests/documents/test_views.py",
    # Issue 8's pages, seen unreached when main was merged into issue 9: the lead checks them.
    "inspections.appeal": "issue 8: linked only while an appeal can be filed",
    "inspections.decide": "issue 8: linked only from an open appeal",
    # Issue 23's tablet pages (tests/kiosk/test_enrolment.py, tests/kiosk/e2e).
    "kiosk.revoke": "linked from the tablets page once a tablet is enrolled",
    "kiosk_app.enrol": "opened on the tablet from a one-time link or its QR code",
    "kiosk_app.app": "where the tablet lands after enrolment",
    "kiosk_app.manifest": "read by the browser from the app's page",
    "kiosk_app.service_worker": "registered by the app's script",
}


def test_every_page_of_the_portal_is_reached_by_a_link(demo_app):
    """A new page is tested above as soon as some page links to it; this makes sure one does."""
    if not REACHED:
        pytest.skip("run with the crawls above")
    pages = {
        rule.endpoint
        for rule in demo_app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NOT_PAGES
    }
    missing = sorted(pages - REACHED - set(UNLINKED))
    assert missing == [], ", ".join(missing)
