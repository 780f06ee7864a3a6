"""A :class:`content.Document` as an A4 PDF (fpdf2) in the administrative format.

Font: Liberation Serif 2 (SIL OFL, metric-compatible with Times New Roman, with the
Vietnamese letters), shipped in ``portal/fonts``. Every text is laid out with wrapping cells
inside the margins: nothing is drawn at a fixed width that a long name could overflow.
"""

from __future__ import annotations

import io
import logging

from fpdf import FPDF

from ..ratings.posters import FONT_DIR
from ..shared import charts
from .content import EMBLEM, MOTTO, Chart, Document, Facts, Heading, Paragraph, Photo, Table

SERIF = "Serif"
#: Margins in mm (left, top, right, bottom): within the ranges the decree's appendix is
#: commonly cited as giving (top/bottom 20–25, left 30–35, right 15–20).
MARGINS = (30.0, 20.0, 15.0, 20.0)
BODY = 13  # pt, the body text (13–14 in the decree's appendix as reproduced)
LINE = 6.5  # mm per body line


class OfficialPDF(FPDF):
    def __init__(self, doc: Document):
        super().__init__(format="A4", unit="mm")
        self.doc = doc
        self.add_font(SERIF, "", str(FONT_DIR / "LiberationSerif-Regular.ttf"))
        self.add_font(SERIF, "B", str(FONT_DIR / "LiberationSerif-Bold.ttf"))
        self.add_font(SERIF, "I", str(FONT_DIR / "LiberationSerif-Italic.ttf"))
        self.add_font(SERIF, "BI", str(FONT_DIR / "LiberationSerif-BoldItalic.ttf"))
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        left, top, right, bottom = MARGINS
        self.set_margins(left, top, right)
        self.set_auto_page_break(True, margin=bottom)
        self.set_title(doc.title)
        self.set_creator("Cổng Một cửa số")

    def header(self):
        # Page numbers from the second page, centered in the top margin.
        if self.page_no() > 1:
            self.set_font(SERIF, "", 12)
            self.set_y(10)
            self.cell(0, 5, str(self.page_no()), align="C")
            self.set_y(self.t_margin)
        elif self.doc.draft:
            self.set_font(SERIF, "B", 12)
            self.set_xy(self.w - self.r_margin - 30, 8)
            self.cell(30, 7, "DỰ THẢO", border=1, align="C")
            self.set_y(self.t_margin)

    def footer(self):
        if not self.doc.verification:
            return
        self.set_y(-15)
        self.set_font(SERIF, "I", 9)
        self.multi_cell(0, 4, self.doc.verification, align="C")


def _fit_size(pdf: FPDF, text: str, style: str, width: float, size: float, smallest: float):
    """The largest size from ``size`` down to ``smallest`` at which ``text`` fits on one line."""
    while size > smallest:
        pdf.set_font(SERIF, style, size)
        if pdf.get_string_width(text) <= width - 2:
            break
        size -= 0.5
    pdf.set_font(SERIF, style, size)


def _heading(pdf: OfficialPDF, doc: Document) -> None:
    """The two-column heading: agency and number left, emblem, motto and date right."""
    width = pdf.epw
    left_w = width * 0.42
    right_w = width - left_w
    x0, y0 = pdf.l_margin, pdf.t_margin
    pdf.set_xy(x0, y0)
    if doc.parent_agency:
        pdf.set_font(SERIF, "", 12)
        pdf.multi_cell(
            left_w, 5.5, doc.parent_agency.upper(), align="C", new_x="LEFT", new_y="NEXT"
        )
    pdf.set_font(SERIF, "B", 12)
    pdf.multi_cell(left_w, 5.5, doc.agency.upper(), align="C", new_x="LEFT", new_y="NEXT")
    y = pdf.get_y() + 0.8
    pdf.line(x0 + left_w / 3, y, x0 + 2 * left_w / 3, y)
    pdf.set_xy(x0, y + 2)
    pdf.set_font(SERIF, "", BODY)
    pdf.multi_cell(left_w, LINE, doc.number_line, align="C", new_x="LEFT", new_y="NEXT")
    left_bottom = pdf.get_y()

    pdf.set_xy(x0 + left_w, y0)
    _fit_size(pdf, EMBLEM, "B", right_w, 12.5, 10)
    pdf.multi_cell(right_w, 5.5, EMBLEM, align="C", new_x="LEFT", new_y="NEXT")
    _fit_size(pdf, MOTTO, "B", right_w, 13.5, 10)
    pdf.multi_cell(right_w, 6, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
    text_w = pdf.get_string_width(MOTTO)
    center = x0 + left_w + right_w / 2
    y = pdf.get_y() + 0.6
    pdf.line(center - text_w / 2, y, center + text_w / 2, y)
    pdf.set_xy(x0 + left_w, y + 2.5)
    pdf.set_font(SERIF, "I", BODY)
    pdf.multi_cell(right_w, LINE, doc.date_line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(x0, max(left_bottom, pdf.get_y()) + 8)


def _title(pdf: FPDF, title: str, subtitle: str) -> None:
    pdf.set_font(SERIF, "B", 14)
    pdf.multi_cell(pdf.epw, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font(SERIF, "B", BODY)
        pdf.multi_cell(pdf.epw, LINE, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)


def _room(pdf: FPDF, height: float) -> None:
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()


def _chart(pdf: FPDF, svg: str) -> None:
    svg = svg.replace(charts.FONT, 'font-family="DejaVu"')
    _room(pdf, 80)
    svg_log = logging.getLogger("fpdf.svg")
    level, svg_log.level = svg_log.level, logging.ERROR
    try:
        info = pdf.image(
            io.BytesIO(svg.encode()), x=pdf.l_margin + pdf.epw * 0.1, y=pdf.get_y(), w=pdf.epw * 0.8
        )
    finally:
        svg_log.setLevel(level)
    pdf.set_y(pdf.get_y() + info.rendered_height + 3)


def _photo(pdf: FPDF, block: Photo) -> None:
    """A photo 50 mm high (narrower than the text area), its caption under it; a file
    that is not a readable image is left out rather than failing the document."""
    _room(pdf, 62)
    try:
        info = pdf.image(io.BytesIO(block.data), x=pdf.l_margin, y=pdf.get_y(), h=50)
    except (OSError, ValueError, RuntimeError):
        return
    pdf.set_y(pdf.get_y() + min(info.rendered_height, 50) + 1)
    pdf.set_font(SERIF, "I", 11)
    pdf.multi_cell(pdf.epw, 5, block.caption, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _table(pdf: FPDF, block: Table) -> None:
    pdf.set_font(SERIF, "", 11)
    with pdf.table(
        col_widths=tuple(block.widths),
        width=pdf.epw,
        align="LEFT",  # from the left margin (CENTER centres on the page, not the text area)
        line_height=5,
        text_align="LEFT",
        padding=1,
        first_row_as_headings=True,
    ) as table:
        row = table.row()
        for text in block.headers:
            row.cell(text)
        for cells in block.rows:
            row = table.row()
            for text in cells:
                row.cell(str(text))
    pdf.ln(3)


def _blocks(pdf: FPDF, blocks) -> None:
    for block in blocks:
        pdf.set_x(pdf.l_margin)
        if isinstance(block, Heading):
            _room(pdf, 20)
            pdf.set_font(SERIF, "B", BODY)
            align = "C" if block.center else "L"
            pdf.multi_cell(pdf.epw, LINE, block.text, align=align, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(block, Paragraph):
            pdf.set_font(SERIF, ("B" if block.bold else "") + ("I" if block.italic else ""), BODY)
            pdf.multi_cell(pdf.epw, LINE, block.text, align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        elif isinstance(block, Facts):
            for label, value in block.rows:
                pdf.set_font(SERIF, "B", BODY)
                pdf.write(LINE, f"{label}: ")
                pdf.set_font(SERIF, "", BODY)
                pdf.write(LINE, str(value))
                pdf.ln(LINE)
            pdf.ln(2)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Chart):
            _chart(pdf, block.svg)
        elif isinstance(block, Photo):
            _photo(pdf, block)


def _signer(pdf: FPDF, x: float, y: float, width: float, signer) -> float:
    pdf.set_xy(x, y)
    pdf.set_font(SERIF, "B", BODY)
    for line in (signer.authority, signer.title):
        if line:
            pdf.multi_cell(width, LINE, line.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(SERIF, "I", 12)
    pdf.multi_cell(width, LINE, "(Ký, ghi rõ họ tên)", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_y(pdf.get_y() + 22)
    pdf.set_x(x)
    pdf.set_font(SERIF, "B", BODY)
    if signer.name:
        pdf.multi_cell(width, LINE, signer.name, align="C", new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _closing(pdf: FPDF, doc: Document) -> None:
    """ "Nơi nhận" bottom left and the signer bottom right (two signers side by side)."""
    _room(pdf, 60)
    width = pdf.epw
    y0 = pdf.get_y() + 4
    half = width / 2
    if len(doc.signers) >= 2:
        bottoms = [
            _signer(pdf, pdf.l_margin + i * half, y0, half, signer)
            for i, signer in enumerate(doc.signers[:2])
        ]
        pdf.set_xy(pdf.l_margin, max(bottoms) + 4)
        left_bottom = pdf.get_y()
        y_rec = left_bottom
    else:
        y_rec = y0
        left_bottom = y0
        if doc.signers:
            x = pdf.l_margin + width * 0.45
            left_bottom = _signer(pdf, x, y0, width * 0.55, doc.signers[0])
    if doc.recipients:
        pdf.set_xy(pdf.l_margin, y_rec)
        rec_w = width * 0.45 if len(doc.signers) < 2 else width
        pdf.set_font(SERIF, "BI", 12)
        pdf.multi_cell(rec_w, 5.5, "Nơi nhận:", new_x="LEFT", new_y="NEXT")
        pdf.set_font(SERIF, "", 11)
        for line in doc.recipients:
            pdf.multi_cell(rec_w, 5, f"- {line}", new_x="LEFT", new_y="NEXT")
        left_bottom = max(left_bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, left_bottom + 2)


def render(doc: Document) -> bytes:
    pdf = OfficialPDF(doc)
    pdf.add_page()
    _heading(pdf, doc)
    _title(pdf, doc.title, doc.subtitle)
    _blocks(pdf, doc.blocks)
    _closing(pdf, doc)
    if doc.annex is not None:
        pdf.add_page()
        pdf.set_font(SERIF, "B", BODY)
        pdf.multi_cell(pdf.epw, LINE, "PHỤ LỤC", align="C", new_x="LMARGIN", new_y="NEXT")
        _title(pdf, doc.annex.title, "")
        if doc.annex.subtitle:
            pdf.set_font(SERIF, "I", BODY)
            pdf.multi_cell(
                pdf.epw, LINE, doc.annex.subtitle, align="C", new_x="LMARGIN", new_y="NEXT"
            )
            pdf.ln(3)
        _blocks(pdf, doc.annex.blocks)
    return bytes(pdf.output())
