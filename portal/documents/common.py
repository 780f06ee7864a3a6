"""What every document shares: formats, numbers the Vietnamese way, the letterhead parts
of a new document, and the reason a center is not standardized."""

from __future__ import annotations

from datetime import date

from ..inspections.models import Inspection
from ..scoring import rules
from ..shared.errors import PortalError
from ..shared.timeutils import DISPLAY_TZ, as_aware_utc, today_local
from . import layout_docx, layout_pdf
from .content import Document, Signer
from .letterhead import Letterhead, load

FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

ANSWERS_VI = {
    "met": "Đạt",
    "partial": "Đạt một phần",
    "not_met": "Không đạt",
    "yes": "Có",
    "no": "Không",
}

LEVEL_VI = {"province": "cấp tỉnh", "commune": "cấp xã"}


class DocumentError(PortalError):
    """Nothing to report (no scores yet for the center or the period)."""


def render(doc: Document, fmt: str) -> bytes:
    return layout_pdf.render(doc) if fmt == "pdf" else layout_docx.render(doc)


def num(value, digits: int = 2) -> str:
    """A number the Vietnamese way (1.234,56); "–" for none."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def base(
    kind: str,
    title: str,
    subtitle: str,
    *,
    letterhead: Letterhead | None = None,
    number: int | None = None,
    day: date | None = None,
    filename: str,
) -> Document:
    lh = letterhead or load()
    return Document(
        kind=kind,
        parent_agency=lh.parent_agency,
        agency=lh.agency,
        symbol=lh.symbol(kind),
        number=number,
        place=lh.place,
        day=day or today_local(),
        title=title,
        subtitle=subtitle,
        recipients=lh.recipient_lines(kind),
        signers=[Signer("", lh.signer_title, lh.signer_name)],
        filename=filename,
    )


def local_time(value) -> str:
    return as_aware_utc(value).astimezone(DISPLAY_TZ).strftime("%d/%m/%Y %H:%M")


def answer_text(item) -> str:
    if item is None or item.verdict is None:
        return "chưa kết luận"
    if item.not_applicable:
        return "không áp dụng"
    if item.number is not None:
        return f"{item.number:g}"
    return ANSWERS_VI.get(item.choice or "", "—")


def not_standardized_reasons(
    inspection: Inspection | None, *, gates_ok, verified, threshold: float
) -> list[str]:
    """Why a center is not "đạt chuẩn": each mandatory criterion not fully met (from the
    inspection's stored result) and C_verified below the period's threshold."""
    reasons = []
    if inspection is None:
        return ["chưa có kết quả thẩm định"]
    if gates_ok is False:
        criteria = (inspection.result or {}).get("criteria") or {}
        version = inspection.assessment.period.standard_version
        failed = [
            c.code
            for c in version.criteria
            if c.mandatory and (criteria.get(c.code) or [None, None])[1] not in (None, 1, 1.0)
        ]
        if failed:
            reasons.append("chưa đạt tiêu chí bắt buộc " + ", ".join(failed))
        else:
            reasons.append("chưa đạt tiêu chí bắt buộc")
    if verified is None or rules.shown(verified) < rules.shown(threshold):
        reasons.append(f"C thẩm định {num(verified)} thấp hơn ngưỡng {num(threshold)}")
    return reasons


def standardized_text(inspection, *, standardized: bool, gates_ok, verified, threshold) -> str:
    if standardized:
        return "Có"
    reasons = not_standardized_reasons(
        inspection, gates_ok=gates_ok, verified=verified, threshold=threshold
    )
    return "Không (" + "; ".join(reasons) + ")"
