"""A :class:`content.Document` as an editable Word file (python-docx), for staff to
correct before signing: the same heading, title, body, "Nơi nhận" and signer as the PDF,
in Times New Roman on A4 with the same margins. Charts stay out (Word cannot show the
portal's SVG); the table with the same figures is beside each chart in the body.
"""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .content import EMBLEM, MOTTO, Document, Facts, Heading, Paragraph, Photo, Table
from .layout_pdf import BODY, MARGINS

FONT = "Times New Roman"
CENTER = WD_ALIGN_PARAGRAPH.CENTER


def _run(paragraph, text: str, *, size: float = BODY, bold=False, italic=False, underline=False):
    run = paragraph.add_run(text)
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic, run.underline = bold, italic, underline
    # East-Asian fallback so that Word keeps Times New Roman for every letter.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    return run


def _para(container, text: str = "", *, align=None, space_after: float = 0, **style):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    if text:
        _run(paragraph, text, **style)
    return paragraph


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _cell(cell, first: str, *, align=CENTER, **style):
    """The first paragraph of a table cell, filled."""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    if first:
        _run(paragraph, first, **style)
    return paragraph


def _heading(word, doc: Document) -> None:
    table = word.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    _cell(left, doc.parent_agency.upper(), size=12)
    _para(left, doc.agency.upper(), align=CENTER, size=12, bold=True)
    _para(left, "————", align=CENTER, size=8)
    _para(left, doc.number_line, align=CENTER)
    _cell(right, EMBLEM, size=12, bold=True)
    _para(right, MOTTO, align=CENTER, bold=True, underline=True)
    _para(right, "")
    _para(right, doc.date_line, align=CENTER, italic=True)
    if doc.draft:
        _para(word, "DỰ THẢO", align=WD_ALIGN_PARAGRAPH.RIGHT, bold=True)


def _title(word, title: str, subtitle: str) -> None:
    heading = word.add_heading(level=1)
    heading.alignment = CENTER
    _run(heading, title, size=14, bold=True)
    if subtitle:
        _para(word, subtitle, align=CENTER, bold=True, space_after=6)


def _blocks(word, blocks) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            heading = word.add_heading(level=2)
            if block.center:
                heading.alignment = CENTER
            _run(heading, block.text, bold=True)
        elif isinstance(block, Paragraph):
            _para(
                word,
                block.text,
                align=WD_ALIGN_PARAGRAPH.JUSTIFY,
                italic=block.italic,
                bold=block.bold,
            )
        elif isinstance(block, Facts):
            for label, value in block.rows:
                paragraph = _para(word)
                _run(paragraph, f"{label}: ", bold=True)
                _run(paragraph, str(value))
        elif isinstance(block, Photo):
            try:
                word.add_picture(io.BytesIO(block.data), height=Mm(50))
            except Exception:  # noqa: BLE001, S112 - an unreadable image is left out
                continue
            _para(word, block.caption, italic=True, size=11)
        elif isinstance(block, Table):
            table = word.add_table(rows=1, cols=len(block.headers))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
                _cell(cell, text, align=None, size=11, bold=True)
            for cells in block.rows:
                row = table.add_row().cells
                for cell, text in zip(row, cells, strict=True):
                    _cell(cell, str(text), align=None, size=11)
            _para(word, "")


def _closing(word, doc: Document) -> None:
    table = word.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    signers = doc.signers[:2]
    if len(signers) == 2:
        cells = [left, right]
    else:
        cells = [right]
        if doc.recipients:
            _cell(left, "Nơi nhận:", align=None, size=12, bold=True, italic=True)
            for line in doc.recipients:
                _para(left, f"- {line}", size=11)
    for cell, signer in zip(cells, signers, strict=False):
        _cell(cell, signer.authority.upper(), bold=True)
        _para(cell, signer.title.upper(), align=CENTER, bold=True)
        _para(cell, "(Ký, ghi rõ họ tên)", align=CENTER, italic=True, size=12)
        for _blank in range(4):
            _para(cell, "")
        _para(cell, signer.name, align=CENTER, bold=True)
    if len(signers) == 2 and doc.recipients:
        _para(word, "Nơi nhận:", size=12, bold=True, italic=True)
        for line in doc.recipients:
            _para(word, f"- {line}", size=11)


def render(doc: Document) -> bytes:
    word = WordDocument()
    section = word.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    left, top, right, bottom = MARGINS
    section.left_margin, section.top_margin = Mm(left), Mm(top)
    section.right_margin, section.bottom_margin = Mm(right), Mm(bottom)
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY)
    word.core_properties.title = doc.title
    _heading(word, doc)
    _para(word, "")
    _title(word, doc.title, doc.subtitle)
    _blocks(word, doc.blocks)
    _closing(word, doc)
    if doc.annex is not None:
        word.add_page_break()
        _para(word, "PHỤ LỤC", align=CENTER, bold=True)
        _title(word, doc.annex.title, doc.annex.subtitle)
        _blocks(word, doc.annex.blocks)
    if doc.verification:
        _para(word, doc.verification, align=CENTER, italic=True, size=9)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()
