"""The exports' scored period (three centers, two verified) plus an on-site visit with
findings, and helpers that read a document back as a reader would."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import timedelta

import pypdfium2
import pytest
import sqlalchemy as sa

from portal.assessments.models import Assessment
from portal.extensions import db
from portal.inspections.models import Inspection, Visit, VisitFinding
from portal.shared.timeutils import today_local

from ..exports import conftest as export_fixtures

app_config = export_fixtures.app_config
standard_version = export_fixtures.standard_version
create_period = export_fixtures.create_period
period = export_fixtures.period
small_period = export_fixtures.small_period
scored = export_fixtures.scored


def inspection_of(center) -> Inspection:
    return db.session.scalar(
        sa.select(Inspection).join(Assessment).where(Assessment.center_id == center.id)
    )


@pytest.fixture
def visit(scored, users) -> Visit:
    """A visit to the first center, with a finding on each of the first three criteria."""
    inspection = inspection_of(scored["A"])
    visit = Visit(
        inspection_id=inspection.id,
        visited_on=today_local() - timedelta(days=2),
        team="Nguyễn Văn An (trưởng đoàn), Trần Thị Bình, Lê Văn Cường",
        summary="Trung tâm bố trí đủ quầy, niêm yết thủ tục đầy đủ; cần bổ sung máy lấy số.",
        created_by=users["inspector"],
    )
    db.session.add(visit)
    criteria = scored["period"].standard_version.criteria[:3]
    visit.findings = [
        VisitFinding(criterion=c, text=f"Ghi nhận tại quầy số {i}: đạt yêu cầu.")
        for i, c in enumerate(criteria, start=1)
    ]
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Visit, visit.id)


def squeeze(text: str) -> str:
    """Text without any white space, in NFC: what "not cut" compares."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def pdf_pages(data: bytes) -> list[dict]:
    """Per page: its size, the text inside the page box (content order) and the boxes of
    every character (in PDF points)."""
    pdf = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        pages = []
        for page in pdf:
            width, height = page.get_size()
            textpage = page.get_textpage()
            boxes = []
            for i in range(textpage.count_chars()):
                char = textpage.get_text_range(i, 1)
                if char.strip():
                    boxes.append((char, textpage.get_charbox(i)))
            text = textpage.get_text_bounded(0, 0, width, height)
            pages.append({"width": width, "height": height, "text": text, "boxes": boxes})
        return pages
    finally:
        pdf.close()
