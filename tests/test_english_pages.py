"""The staff interface is complete in English: no Vietnamese word of the interface remains.

``tests/test_every_page.py`` crawls every page of every demo staff account in English on
`flask demo seed`'s data and checks each page with ``vietnamese_left`` below: the visible
text (scripts, styles and templates stripped; titles, placeholders, labels for screen
readers and button values included) must hold no letter that only Vietnamese uses, once
data is set aside: the names of centers, communes, provinces, people, counters' free-text
descriptions, citizens' comments and the like are read from the database, plus the few
explicit entries of ``EXPLICIT`` below, each with its reason. The tests here check what
the crawl cannot reach: the catalogue itself and pages in both languages side by side.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.pofile import read_po

from portal.accounts.models import User
from portal.assessments.models import Answer, AssessmentPeriod
from portal.centers.models import Center, Officer
from portal.complaints.models import AlertAcknowledgement, Case
from portal.demo.services import demo_accounts
from portal.documents import letterhead
from portal.extensions import db
from portal.inspections.models import (
    Appeal,
    AppealItem,
    CorrectiveAction,
    ReviewEvent,
    ReviewItem,
    Visit,
    VisitFinding,
)
from portal.ratings.models import Rating
from portal.settings import services as settings
from portal.settings.models import PublicHoliday, Setting
from portal.standards.models import Criterion
from portal.statistics import importers

from .conftest import IsolatedClient

#: Every lower-case letter with a diacritic Vietnamese uses (``re.I`` adds the capitals).
VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I
)
ROOT = Path(__file__).resolve().parent.parent
#: Text that is data or a name, not interface, though no table lists it. Each entry says why.
EXPLICIT = {
    # The language switch names each language in itself.
    "Tiếng Việt",
    # A grade of the Vietnamese civil service, quoted in the standard's English text of NL01
    # ("hold at least the chuyên viên grade"): English has no equivalent grade.
    "chuyên viên",
}

#: Free text people type, and names: shown as written, in any language.
DATA_COLUMNS = (
    Center.name,
    Center.unit_name,
    Center.province_name,
    Center.address,
    Center.extra_sites,
    Officer.full_name,
    Officer.position,
    User.full_name,
    Rating.comment,
    Case.answer,
    AlertAcknowledgement.note,
    # The standard quotes its legal basis in Vietnamese; pages lead it with the documents'
    # English names (checked by test_a_legal_basis_names_its_documents_in_english).
    Criterion.legal_basis,
    # What inspectors and managers wrote during an inspection.
    ReviewItem.reason,
    ReviewEvent.text,
    Appeal.decision_note,
    AppealItem.reason,
    AppealItem.decision_note,
    Visit.team,
    Visit.summary,
    VisitFinding.text,
    CorrectiveAction.description,
    CorrectiveAction.owner,
    CorrectiveAction.closed_note,
    Answer.note,
    # The letterhead of official documents, which are written in Vietnamese.
    Setting.value,
)

#: Data shown only on some pages: the audit log quotes values as they were stored.
PAGE_COLUMNS = {"/audit/": (AssessmentPeriod.name, PublicHoliday.name)}


def _lines(values) -> set[str]:
    return {
        line.strip()
        for value in values
        for line in str(value or "").splitlines()
        if VIETNAMESE.search(line)
    }


def _allowed_phrases(columns=DATA_COLUMNS) -> set[str]:
    """Names and free text from the demo data: they stay as people wrote them."""
    phrases = set(EXPLICIT)
    for column in columns:
        phrases |= _lines(db.session.scalars(sa.select(column).distinct()))
    # The letterhead's defaults until the province changes them (documents are in Vietnamese).
    phrases |= _lines(letterhead.DEFAULTS.values())
    # The documented headers of the province's statistics files: a file must use them as
    # they are, so the import page quotes them.
    phrases |= _lines(c.header for c in (*importers.DOSSIER_COLUMNS, *importers.INDEX_COLUMNS))
    return phrases


class Allowed:
    """Removes allowed phrases from a text; what remains is the interface's."""

    def __init__(self, phrases: set[str], pages: dict[str, set[str]] | None = None):
        self.phrases = phrases
        self.pattern = self._pattern(phrases)
        self.pages = {prefix: self._pattern(more) for prefix, more in (pages or {}).items()}

    @staticmethod
    def _pattern(phrases: set[str]) -> re.Pattern:
        ordered = sorted(phrases, key=len, reverse=True)
        return re.compile("|".join(re.escape(p) for p in ordered))

    def rest(self, text: str, url: str = "") -> str:
        if text in self.phrases:
            return ""
        text = self.pattern.sub(" ", text)
        for prefix, pattern in self.pages.items():
            if url.startswith(prefix):
                text = pattern.sub(" ", text)
        return text


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "template"):
            self._skip += 1
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
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


def vietnamese_left(allowed: Allowed, url: str, texts: list[str]) -> list[str]:
    """The texts of an English page that still hold Vietnamese once data is set aside."""
    return [
        f"{url}: Vietnamese on an English page: {text[:160]}"
        for text in texts
        if VIETNAMESE.search(text) and VIETNAMESE.search(allowed.rest(text, url))
    ]


def add_official_holidays() -> None:
    """The official holidays, as an administrator adds them with one button (a database built
    by the migrations has them already; the tests' schema comes from the models)."""
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    settings.add_official_holidays(actor=admin)
    db.session.commit()


def allowed_for_demo() -> Allowed:
    return Allowed(
        _allowed_phrases(),
        {prefix: _allowed_phrases(columns) for prefix, columns in PAGE_COLUMNS.items()},
    )


@pytest.fixture
def holidays(demo_data, app) -> None:
    add_official_holidays()


def test_no_english_message_holds_vietnamese_words():
    """Pages the crawl does not reach (a citizen's, an error's) use the same catalogue."""
    with open(ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale="en")
    vietnamese = []
    for message in catalog:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.id and any(VIETNAMESE.search(s or "") for s in strings):
            vietnamese.append(strings[0])
    assert vietnamese == []


def _signed_in(app, username: str, lang: str):
    account = next(a for a in demo_accounts(25) if a.username == username)
    app.test_client_class = IsolatedClient
    client = app.test_client()
    client.get(f"/?lang={lang}")
    client.post("/account/login", data={"username": account.username, "password": account.password})
    return client


def test_periods_are_named_in_the_readers_language(demo_data, app):
    english = _signed_in(app, "thanhtra", "en").get("/dashboards/").get_data(as_text=True)
    vietnamese = _signed_in(app, "thanhtra", "vi").get("/dashboards/").get_data(as_text=True)
    assert "Q4 2026" in english and "Quý 4 năm 2026" not in english
    assert "Quý 4 năm 2026" in vietnamese


def test_a_legal_basis_names_its_documents_in_english(demo_data, app):
    client = _signed_in(app, "admin", "en")
    html = client.get("/standards/versions/1").get_data(as_text=True)
    # The Vietnamese text stays, marked as Vietnamese, led by the documents' English names.
    assert "Decree 61/2018/ND-CP, Art. 13; Decree 107/2021/ND-CP" in html
    assert '<small class="muted basis-quote" lang="vi">(NĐ 61/2018/NĐ-CP Điều 13;' in html
    assert ">Practice of provinces</span>" in html  # "Thực tiễn Phú Thọ …"
    assert "Circular 03/2025/TT-VPCP; a province&#39;s directive" in html
    vietnamese = _signed_in(app, "admin", "vi").get("/standards/versions/1")
    assert "Decree 61/2018" not in vietnamese.get_data(as_text=True)


def test_vietnamese_pages_name_the_compliance_scores_in_words(demo_data, app):
    html = _signed_in(app, "thanhtra", "vi").get("/dashboards/").get_data(as_text=True)
    page = _Page()
    page.feed(html)
    assert "Điểm tuân thủ đã thẩm định" in page.texts
    assert "Điểm tự đánh giá" in page.texts
    assert not {"C_verified", "C_self"} & set(page.texts)


def test_opening_hours_holidays_and_fields_read_in_english(demo_data, app, holidays):
    client = _signed_in(app, "admin", "en")
    center = client.get("/centers/07900").get_data(as_text=True)
    assert "Monday – Friday 7:30–11:30, 13:30–17:00; Saturday morning 7:30–11:30" in center
    holiday_list = client.get("/admin/settings").get_data(as_text=True)
    assert "National Day" in holiday_list
    assert "Quốc khánh" not in holiday_list
    assert "Counter 1 – Certification" in client.get("/centers/07900/officers/new").get_data(
        as_text=True
    )
    vietnamese = _signed_in(app, "admin", "vi").get("/centers/07900").get_data(as_text=True)
    assert "Thứ Hai – Thứ Sáu" in vietnamese
