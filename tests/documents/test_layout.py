"""Every document type, with the longest real center name of the demo province and a
200-character name, laid out as PDF and Word: no character outside the page's text area
and no value cut (every text of the document is read back whole); the Word file opens with
its headings, tables and the motto."""

from __future__ import annotations

import io
import re

import docx
import pytest
from flask_babel import force_locale

from portal.centers.services import official_units
from portal.documents import layout_docx, layout_pdf, letterhead, services, summary
from portal.documents.content import EMBLEM, MOTTO
from portal.extensions import db

from .conftest import inspection_of, pdf_pages, squeeze

MM = 72 / 25.4
LONG = ("Trung tâm Phục vụ hành chính công liên xã Thượng Long Phú Hưng Thịnh Vượng " * 4)[:200]


@pytest.fixture
def longest_real_name(app) -> str:
    return max((u.center_name for u in official_units(25)), key=len)


@pytest.fixture
def documents(scored, visit, users, longest_real_name):
    assert len(LONG) == 200
    scored["A"].name = longest_real_name
    scored["B"].name = LONG
    visit.team = LONG + ", " + longest_real_name
    visit.findings[0].text = LONG
    letterhead.update(
        actor=users["admin"],
        values={"agency": "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH", "signer_name": LONG[:60]},
        numbers={},
    )
    db.session.commit()
    period = scored["period"]
    with force_locale("vi"):
        return {
            "visit_record": services.visit_record(visit),
            "inspection_report": services.inspection_report(inspection_of(scored["B"])),
            "center_report_real": services.center_report(period, scored["A"]),
            "center_report_long": services.center_report(period, scored["B"]),
            "province_summary": summary.province_summary(period, 25),
            "decision": summary.decision(period, 25),
        }


KINDS = (
    "visit_record",
    "inspection_report",
    "center_report_real",
    "center_report_long",
    "province_summary",
    "decision",
)


def _read_back(pages) -> str:
    """The pages' text in order, without the page numbers in the top margin."""
    out = []
    for i, page in enumerate(pages):
        text = page["text"]
        if i:
            text = re.sub(rf"^\s*{i + 1}\s*", "", text, count=1)
        out.append(text)
    return squeeze("".join(out))


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_every_text_fits(documents, kind):
    doc = documents[kind]
    with force_locale("vi"):
        pages = pdf_pages(layout_pdf.render(doc))
    left, _top, right, _bottom = layout_pdf.MARGINS
    outside = []
    for number, page in enumerate(pages, start=1):
        for char, (x0, y0, x1, y1) in page["boxes"]:
            inside = (
                x0 >= left * MM - 1
                and x1 <= page["width"] - right * MM + 1
                and y0 >= 0
                and y1 <= page["height"]
            )
            if not inside:
                outside.append((number, char, round(x0), round(x1)))
    assert outside == [], f"characters outside the text area: {outside}"
    text = _read_back(pages)
    cut = [piece for piece in doc.all_text() if squeeze(piece) not in text]
    assert cut == []
    assert squeeze(EMBLEM) in text and squeeze(MOTTO) in text
    assert squeeze(doc.number_line) in text and squeeze(doc.date_line) in text


def _word_text(document) -> tuple[str, list[str]]:
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts += [p.text for p in cell.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    return squeeze("\n".join(texts)), headings


@pytest.mark.parametrize("kind", KINDS)
def test_word_opens_with_headings_tables_and_motto(documents, kind):
    doc = documents[kind]
    document = docx.Document(io.BytesIO(layout_docx.render(doc)))
    text, headings = _word_text(document)
    assert doc.title in headings
    assert len(document.tables) >= 2  # the heading and at least the closing or a body table
    assert squeeze(MOTTO) in text and squeeze(EMBLEM) in text
    assert [piece for piece in doc.all_text() if squeeze(piece) not in text] == []
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == layout_pdf.MARGINS[0]
