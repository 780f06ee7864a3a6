"""Vietnamese values the province types or the portal seeds, read in the page's language.

Names stay as they are (a commune, a person). The words around them do not: a unit's
type ("xã"), a counter's field of procedures ("Đất đai"), a holiday ("Quốc khánh"), the
days of opening hours and the abbreviations of legal documents ("NĐ 118/2025/NĐ-CP")
have English words. Each function returns the stored text unchanged in Vietnamese, and
for a value it does not know.
"""

from __future__ import annotations

import re

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: The types of administrative units (``Center.unit_type``).
UNIT_TYPES = {
    "tỉnh": _l("province"),
    "thành phố": _l("city"),
    "xã": _l("commune"),
    "phường": _l("ward"),
    "đặc khu": _l("special zone"),
    "thị trấn": _l("township"),
}

#: Fields of administrative procedures that counters serve (``Counter.field``).
SUBJECT_AREAS = {
    "Tư pháp – Hộ tịch": _l("Justice – Civil status"),
    "Chứng thực": _l("Certification"),
    "Đất đai": _l("Land"),
    "Xây dựng": _l("Construction"),
    "Đăng ký kinh doanh": _l("Business registration"),
    "Nội vụ – Lao động": _l("Home affairs – Labour"),
    "Bảo trợ xã hội": _l("Social protection"),
    "Nông nghiệp và Môi trường": _l("Agriculture and Environment"),
    "Văn hóa – Giáo dục – Y tế": _l("Culture – Education – Health"),
    "Tài chính – Kế hoạch": _l("Finance – Planning"),
    "Hộ tịch": _l("Civil status"),
    "Tư pháp": _l("Justice"),
    "Lao động – Thương binh và Xã hội": _l("Labour, Invalids and Social Affairs"),
}

#: Public holidays as the settings name them (``portal/settings/services.py``).
HOLIDAYS = {
    "Tết Dương lịch": _l("New Year's Day"),
    "Tết Nguyên đán": _l("Lunar New Year"),
    "Giỗ Tổ Hùng Vương": _l("Hung Kings' Commemoration Day"),
    "Giỗ Tổ Hùng Vương (nghỉ bù)": _l("Hung Kings' Commemoration Day (day in lieu)"),
    "Ngày Chiến thắng 30/4": _l("Reunification Day (30 April)"),
    "Ngày Giải phóng miền Nam 30/4": _l("Reunification Day (30 April)"),
    "Quốc tế Lao động 1/5": _l("International Labour Day (1 May)"),
    "Quốc khánh": _l("National Day"),
    "Quốc khánh (nghỉ bù)": _l("National Day (day in lieu)"),
}

_DAYS = {
    "thứ hai": _l("Monday"),
    "thứ ba": _l("Tuesday"),
    "thứ tư": _l("Wednesday"),
    "thứ năm": _l("Thursday"),
    "thứ sáu": _l("Friday"),
    "thứ bảy": _l("Saturday"),
    "chủ nhật": _l("Sunday"),
}
_DAYS.update({f"thứ {n}": _DAYS[name] for n, name in enumerate(list(_DAYS)[:6], start=2)})
_DAY = "|".join(sorted(_DAYS, key=len, reverse=True))
_PART_OF_DAY = re.compile(rf"\b(sáng|chiều)\s+({_DAY})\b", re.I)
_DAY_ALONE = re.compile(rf"\b({_DAY})\b", re.I)
_HALF_DAYS = {"sáng": _l("morning"), "chiều": _l("afternoon")}
_HALF_DAY_ALONE = re.compile(r"\b(sáng|chiều)\b", re.I)

#: Legal documents' kinds, and the diacritics of their symbols ("NĐ-CP" is written
#: "ND-CP" in English, as in the official translations).
_DOCUMENT_KINDS = {
    "NĐ": _l("Decree"),
    "TT": _l("Circular"),
    "QĐ": _l("Decision"),
    "CT": _l("Directive"),
}
_DOCUMENT = re.compile(r"\b(NĐ|TT|QĐ|CT)\s+(\d+(?:/\d{4})?/[A-Za-zĐ0-9-]+)")
_LAW = re.compile(r"\bLuật\b[^;,()—]*?(\d+/\d{4}/QH\d+)")
#: An abbreviation with Đ in a document's number or kind ("NĐ-CP", "QĐ 06/2008").
_SYMBOL = re.compile(r"\b[A-Z]*Đ[A-ZĐ]*\b")
#: Sources that are not numbered national documents, as the standard words them.
_OTHER_SOURCES = (
    ("chỉ thị", _l("a province's directive")),
    ("thực tiễn", _l("practice of provinces")),
    ("đề xuất của tỉnh", _l("the province's proposal")),
    ("ghi nhận kiểm tra", _l("an inspection's finding")),
)
_ARTICLE = re.compile(r"\s+(?:Điều|Đ)\s*(\d+)\b")


def _in_vietnamese() -> bool:
    locale = get_locale()
    return locale is None or locale.language == "vi"


def _known(table: dict, value: str) -> str:
    if not value or _in_vietnamese():
        return value
    label = table.get(value.strip())
    return value if label is None else str(label)


def unit_type(value: str) -> str:
    return _known(UNIT_TYPES, value)


def subject_area(value: str) -> str:
    return _known(SUBJECT_AREAS, value)


def holiday(value: str) -> str:
    return _known(HOLIDAYS, value)


def opening_hours(value: str) -> str:
    """``Thứ Hai – Thứ Sáu 7:30–11:30; sáng Thứ Bảy 7:30–11:30`` with English days
    ("Monday – Friday 7:30–11:30; Saturday morning 7:30–11:30"); other words stay."""
    if not value or _in_vietnamese():
        return value

    def part(match: re.Match) -> str:
        day = str(_DAYS[match[2].lower()])
        return (
            _("%(day)s morning", day=day)
            if match[1].lower() == "sáng"
            else _("%(day)s afternoon", day=day)
        )

    text = _PART_OF_DAY.sub(part, value)
    text = _DAY_ALONE.sub(lambda m: str(_DAYS[m[1].lower()]), text)
    return _HALF_DAY_ALONE.sub(lambda m: str(_HALF_DAYS[m[1].lower()]), text)


def document_symbols(text: str) -> str:
    """English text quoting Vietnamese documents, their symbols without diacritics."""
    if not text or _in_vietnamese():
        return text
    return _SYMBOL.sub(lambda m: m[0].replace("Đ", "D"), text)


def legal_references(text: str) -> str:
    """The sources a legal basis cites, named in the page's language.

    ``NĐ 61/2018/NĐ-CP Điều 13; NĐ 107/2021/NĐ-CP — …`` reads "Decree 61/2018/ND-CP,
    Art. 13; Decree 107/2021/ND-CP" in English, ``Thực tiễn Phú Thọ`` "practice of
    provinces"; "" in Vietnamese, where the text says it all, and for a source it does
    not recognise.
    """
    if not text or _in_vietnamese():
        return ""
    found: list[str] = []
    for match in _DOCUMENT.finditer(text):
        name = f"{_DOCUMENT_KINDS[match[1]]} {match[2].replace('Đ', 'D')}"
        article = _ARTICLE.match(text, match.end())
        if article:
            name = _("%(document)s, Art. %(article)s", document=name, article=article[1])
        if name not in found:
            found.append(name)
    for match in _LAW.finditer(text):
        name = _("Law %(number)s", number=match[1])
        if name not in found:
            found.append(name)
    lowered = text.lower()
    found += [str(label) for word, label in _OTHER_SOURCES if word in lowered]
    return "; ".join(found)
