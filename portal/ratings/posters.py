"""A4 counter posters as PDF (fpdf2, bundled DejaVu font so Vietnamese renders everywhere).

Poster text is Vietnamese whatever the UI language: it hangs in a Vietnamese center.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from fpdf import FPDF

from ..centers.models import Center, Counter
from ..extensions import db
from ..shared import qr
from . import tokens

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"


@dataclass(frozen=True)
class Poster:
    center_name: str
    counter_number: int
    counter_field: str
    url: str
    short_code: str
    short_url: str


def posters_for(counters, *, base: str) -> list[Poster]:
    """One poster per counter, its QR code pointing at ``base``."""
    base = base.rstrip("/")
    return [
        Poster(
            center_name=counter.center.name,
            counter_number=counter.number,
            counter_field=counter.field,
            url=f"{base}/r/{tokens.counter_token(counter)}",
            short_code=tokens.counter_short_code(counter),
            short_url=f"{base}/r/",
        )
        for counter in counters
    ]


def active_counters(center: Center | None):
    """Active counters of one center (or of all), in print order."""
    stmt = (
        sa.select(Counter)
        .join(Center)
        .where(Counter.is_active.is_(True))
        .order_by(Center.code, Counter.number)
    )
    if center is not None:
        stmt = stmt.where(Counter.center_id == center.id)
    return db.session.scalars(stmt).all()


BOTTOM_MARGIN = 12
INSTRUCTIONS = (
    "Quét mã QR bằng camera điện thoại, chọn một trong năm mức từ "
    "“Rất không hài lòng” đến “Rất hài lòng” và bấm Gửi. Chỉ mất 20 giây, "
    "không cần đăng nhập. Không hỏi tên; số điện thoại là tùy chọn, chỉ lưu "
    "khi ông/bà đồng ý để được gọi lại."
)


def _no_scan_line(short_url: str) -> str:
    return f"Không quét được? Mở {short_url} và nhập mã:"


def _bottom_height(pdf: FPDF, width: float, short_url: str) -> float:
    """Height of the instructions and the short code, measured without drawing."""
    pdf.set_font("DejaVu", "", 14)
    height = pdf.multi_cell(width, 7, INSTRUCTIONS, align="C", dry_run=True, output="HEIGHT")
    height += 3 + pdf.multi_cell(
        width, 7, _no_scan_line(short_url), align="C", dry_run=True, output="HEIGHT"
    )
    return height + 14


def _bottom(pdf: FPDF, width: float, poster: Poster) -> None:
    pdf.set_font("DejaVu", "", 14)
    pdf.multi_cell(width, 7, INSTRUCTIONS, align="C")
    pdf.ln(3)
    pdf.multi_cell(width, 7, _no_scan_line(poster.short_url), align="C")
    # multi_cell leaves x at the right edge: back to the margin, or the code is drawn off
    # the page (it was missing from every poster).
    pdf.set_x(pdf.l_margin)
    pdf.set_font("DejaVu", "B", 28)
    pdf.cell(width, 14, qr.format_short_code(poster.short_code), align="C")


def render_posters(posters: Iterable[Poster]) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_left_margin(15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title("Mã QR đánh giá sự hài lòng")
    count = 0
    # The instructions are the same on every poster: measure their height once per
    # address (laying the text out was a third of the time per poster).
    bottoms: dict[tuple[float, str], float] = {}
    for poster in posters:
        count += 1
        pdf.add_page()
        width = pdf.w - 30
        pdf.set_xy(15, 18)
        pdf.set_font("DejaVu", "B", 18)
        pdf.multi_cell(width, 9, poster.center_name, align="C")
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 30)
        pdf.cell(width, 14, f"Quầy số {poster.counter_number}", align="C")
        pdf.ln(14)
        pdf.set_font("DejaVu", "", 14)
        pdf.multi_cell(width, 7, poster.counter_field, align="C")
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 20)
        pdf.multi_cell(width, 10, "Ông/bà hài lòng với việc giải quyết thủ tục hôm nay?", align="C")
        # The QR code takes the room left between the question and the instructions, so
        # the short code always lands on the page (a long center name or field must not
        # push it off the bottom edge).
        key = (width, poster.short_url)
        if key not in bottoms:
            bottoms[key] = _bottom_height(pdf, width, poster.short_url)
        bottom = bottoms[key]
        size = min(110.0, pdf.h - BOTTOM_MARGIN - bottom - pdf.get_y() - 12)
        png = qr.qr_png(poster.url, scale=12)
        pdf.image(io.BytesIO(png), x=(pdf.w - size) / 2, y=pdf.get_y() + 4, w=size, h=size)
        pdf.set_y(pdf.get_y() + size + 8)
        _bottom(pdf, width, poster)
    if count == 0:
        raise ValueError("no posters to print")
    return bytes(pdf.output())
