"""A document as data, the same for the PDF and the Word layouts: the letterhead parts
(issuing agency, number and symbol, place and date), the title, the body as blocks, the
"Nơi nhận" list, the signers and an optional annex.

The layout follows the administrative format of Decree 30/2020/NĐ-CP on clerical work as
provinces reproduce it (two-column heading, emblem line and underlined motto, number and
symbol under the agency, italic place and date, centered bold title, recipients at bottom
left, signer at bottom right). The decree's appendix itself was not read article by article
for this portal: sizes and margins are in ``layout_pdf``/``layout_docx`` as constants the
clerks can check against the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

EMBLEM = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


@dataclass
class Heading:
    text: str
    center: bool = False


@dataclass
class Paragraph:
    text: str
    italic: bool = False
    bold: bool = False


@dataclass
class Facts:
    """``label: value`` lines; the value flows on under its label when it is long."""

    rows: list[tuple[str, str]]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[int]  # relative widths of the columns


@dataclass
class Chart:
    """A ``shared.charts`` SVG (drawn in the PDF; the Word file keeps the table beside it)."""

    svg: str


@dataclass
class Photo:
    """A photo of a finding (the stored evidence file's bytes) with its caption."""

    data: bytes
    caption: str


@dataclass
class Signer:
    authority: str  # "TM. ỦY BAN NHÂN DÂN", "KT. ...", or ""
    title: str
    name: str


@dataclass
class Annex:
    title: str
    subtitle: str
    blocks: list = field(default_factory=list)


@dataclass
class Document:
    kind: str
    parent_agency: str
    agency: str
    symbol: str
    number: int | None  # None: a draft, "Số:      /BC-VP" for the clerk to fill in
    place: str
    day: date
    title: str
    subtitle: str
    blocks: list = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signers: list[Signer] = field(default_factory=list)
    annex: Annex | None = None
    draft: bool = False
    filename: str = "van-ban"
    verification: str = ""  # the visible line of a signed document

    @property
    def number_line(self) -> str:
        number = f"{self.number:02d}" if self.number is not None else " " * 6
        return f"Số: {number}/{self.symbol}"

    @property
    def date_line(self) -> str:
        d = self.day
        # Decree 30 writes days below 10 and months below 3 with a leading zero.
        month = f"{d.month:02d}" if d.month < 3 else str(d.month)
        return f"{self.place}, ngày {d.day:02d} tháng {month} năm {d.year}"

    def all_text(self) -> list[str]:
        """Every text the document shows (for the tests that check nothing is cut)."""
        upper = str.upper  # the agency lines and the signer's title are printed in capitals
        out = [upper(self.parent_agency), upper(self.agency), self.number_line, self.date_line]
        out.append(self.title)
        out += [self.subtitle, *self.recipients]
        for signer in self.signers:
            out += [upper(signer.authority), upper(signer.title), signer.name]
        blocks = list(self.blocks) + (list(self.annex.blocks) if self.annex else [])
        for block in blocks:
            if isinstance(block, Heading | Paragraph):
                out.append(block.text)
            elif isinstance(block, Facts):
                out += [f"{label}: {value}" for label, value in block.rows]
            elif isinstance(block, Table):
                out += block.headers + [cell for row in block.rows for cell in row]
        return [t for t in out if t and t.strip()]
