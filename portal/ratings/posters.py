"""A4 counter posters as PDF (fpdf2, bundled DejaVu font so Vietnamese renders everywhere).

Poster text is Vietnamese whatever the UI language: it hangs in a Vietnamese center.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

from ..shared import qr

FONT_DIR = Path(__file__).resolve().parent.parent / "fonts"


@dataclass(frozen=True)
class Poster:
    center_name: str
    counter_number: int
    counter_field: str
    url: str
    short_code: str
    short_url: str


def render_posters(posters: Iterable[Poster]) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title("Mã QR đánh giá sự hài lòng")
    count = 0
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
        png = qr.qr_png(poster.url, scale=12)
        size = 110
        pdf.image(io.BytesIO(png), x=(pdf.w - size) / 2, y=pdf.get_y() + 4, w=size, h=size)
        pdf.set_y(pdf.get_y() + size + 8)
        pdf.set_font("DejaVu", "", 14)
        pdf.multi_cell(
            width,
            7,
            "Quét mã QR bằng camera điện thoại, chọn một trong năm mức từ "
            "“Rất không hài lòng” đến “Rất hài lòng” và bấm Gửi. Chỉ mất 20 giây, "
            "không cần đăng nhập. Không hỏi tên; số điện thoại là tùy chọn, chỉ lưu "
            "khi ông/bà đồng ý để được gọi lại.",
            align="C",
        )
        pdf.ln(3)
        pdf.multi_cell(width, 7, f"Không quét được? Mở {poster.short_url} và nhập mã:", align="C")
        pdf.set_font("DejaVu", "B", 28)
        pdf.cell(width, 14, qr.format_short_code(poster.short_code), align="C")
    if count == 0:
        raise ValueError("no posters to print")
    return bytes(pdf.output())
