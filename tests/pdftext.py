"""The text a reader shows of a PDF, page by page, for tests of printed reports and posters."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pypdfium2


def printed_text(data: bytes) -> list[str]:
    """pdftotext (poppler) reads only what lies inside each page, as a printer would; where it
    is missing (a laptop without poppler-utils), pypdfium2 reads the text inside each page's box.
    """
    if shutil.which("pdftotext"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "printed.pdf"
            path.write_bytes(data)
            out = subprocess.run(
                ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
            ).stdout
        return out.split("\f")[:-1]
    pdf = pypdfium2.PdfDocument(data)
    try:
        pages = []
        for page in pdf:
            width, height = page.get_size()
            pages.append(page.get_textpage().get_text_bounded(0, 0, width, height))
        return pages
    finally:
        pdf.close()
