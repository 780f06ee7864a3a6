"""Reading the CSV exports of the national portal (766 index) and the one-stop software.

Every line is checked before anything is written; each problem names the line and the
column ("Dòng 7, cột «Đúng hạn»: …"). UTF-8 with or without BOM, comma or semicolon,
Vietnamese numbers (``1.234``, ``12,5``, ``12,5%``). Center by official code, counter by
number. The same checks serve the JSON API (:func:`check_dossier_rows`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from ..centers.models import Center, Counter
from ..extensions import db
from ..i18n import format_number
from ..shared.text import fold
from .models import INDEX_GROUPS, INDEX_TOTAL_MAX

MAX_ROWS = 20_000
#: Dossiers of one center (or counter) in one month: the busiest centers handle tens of
#: thousands, so this is generous yet far inside a 32-bit INTEGER column (PostgreSQL), even
#: summed over a province's centers in a year. Counter numbers obey it too.
MAX_COUNT = 1_000_000
#: The first month the portal takes figures for; the last is the current month.
MIN_MONTH = date(2000, 1, 1)
#: A cell holds a code, a month or a number: anything longer is not one of our files.
MAX_CELL = 1000
#: Characters of a number (``1.234.567,5%``): a 400-digit number is refused before parsing.
MAX_NUMBER_TEXT = 24


@dataclass(frozen=True)
class Column:
    key: str
    #: The documented (Vietnamese) header, then accepted aliases.
    header: str
    aliases: tuple[str, ...]
    required: bool = True
    #: The largest value a number in the column may have (the smallest is 0); the checks
    #: below read it, and the import page and the template show it.
    maximum: float | None = None
    #: Whether the number must be whole (dossiers, a counter's number).
    whole: bool = False


def _count(key: str, header: str, aliases: tuple[str, ...], *, required: bool = True) -> Column:
    return Column(key, header, aliases, required, float(MAX_COUNT), whole=True)


_MAXIMA = dict(INDEX_GROUPS)
DOSSIER_COLUMNS = (
    Column("center", "Mã trung tâm", ("center", "center_code", "ma trung tam")),
    _count("counter", "Quầy", ("counter", "quay so"), required=False),
    Column("month", "Tháng", ("month",)),
    _count("received", "Tiếp nhận", ("received",)),
    _count("on_time", "Đúng hạn", ("on_time", "on time")),
    _count("late", "Trễ hạn", ("late",)),
    _count("returned", "Trả lại", ("returned",)),
    _count("online", "Trực tuyến", ("online",), required=False),
    Column(
        "online_share",
        "Tỷ lệ trực tuyến",
        ("online_share", "online share"),
        required=False,
        maximum=100.0,
    ),
)
INDEX_COLUMNS = (
    Column("center", "Mã trung tâm", ("center", "center_code")),
    Column("month", "Tháng", ("month",)),
    *(
        Column(key, header, (key, *more), required=False, maximum=_MAXIMA[key])
        for key, header, more in (
            ("publicity", "Công khai, minh bạch", ()),
            ("progress", "Tiến độ giải quyết", ()),
            ("online_service", "Dịch vụ công trực tuyến", ()),
            ("online_payment", "Thanh toán trực tuyến", ()),
            ("digitisation", "Số hóa hồ sơ", ("digitization",)),
            ("satisfaction", "Mức độ hài lòng", ()),
        )
    ),
    Column("total", "Tổng điểm", ("total",), maximum=INDEX_TOTAL_MAX),
)
#: A line whose first cell starts with this is a note (the template's line of ranges).
COMMENT = "#"


def allowed_values(column: Column) -> str:
    """What a cell of ``column`` may hold, in the request's language and number format."""
    if column.key == "center":
        return _("the center's official code")
    if column.key == "month":
        return _("MM/YYYY, from %(first)s to the current month", first=MIN_MONTH.strftime("%m/%Y"))
    if column.maximum is None:
        return ""
    top = format_number(column.maximum, 2, trim=True)
    if column.key == "online_share":
        return _("0 to %(max)s (%%)", max=top)
    if column.whole:
        return _("a whole number from 0 to %(max)s", max=top)
    return _("0 to %(max)s points", max=top)


class ImportProblems(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class DossierRow:
    line: int
    center: Center
    counter: Counter | None
    month: date
    received: int
    on_time: int
    late: int
    returned: int
    online: int
    #: False when the file had no online column: ``online`` is then 0, not a count.
    online_known: bool = True


@dataclass
class IndexRow:
    line: int
    center: Center
    month: date
    values: dict[str, float | None] = field(default_factory=dict)
    total: float = 0.0


def template_csv(columns: tuple[Column, ...], example: list[str]) -> str:
    """The documented header and one example line (UTF-8 with BOM, for Excel)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([c.header for c in columns])
    ranges = [allowed_values(c) for c in columns]
    writer.writerow([f"{COMMENT} {ranges[0]}", *ranges[1:]])
    writer.writerow(example)
    return "\ufeff" + out.getvalue()


def decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblems(
            [_("The file is not UTF-8 text: save it as “CSV UTF-8” and try again.")]
        ) from exc


def _problem(line: int, column: str, message: str) -> str:
    return _(
        "Line %(line)d, column «%(column)s»: %(message)s", line=line, column=column, message=message
    )


_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


def parse_number(text: str) -> float:
    """``1.234`` → 1234, ``12,5`` → 12.5, ``1.234,5`` → 1234.5, ``12,5%`` → 12.5."""
    value = text.strip().rstrip("%").strip().replace(" ", "").replace("\u00a0", "")
    if not value or len(value) > MAX_NUMBER_TEXT:
        raise ValueError
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    elif _THOUSANDS.match(value):
        value = value.replace(".", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", value):
        raise ValueError
    return float(value)


def parse_month(text: str) -> date:
    """``11/2026``, ``11-2026``, ``2026-11`` or ``01/11/2026`` → 2026-11-01."""
    value = text.strip()
    for pattern, order in (
        (r"(\d{1,2})[/-](\d{4})", "my"),
        (r"(\d{4})-(\d{1,2})", "ym"),
        (r"\d{1,2}/(\d{1,2})/(\d{4})", "my"),
    ):
        m = re.fullmatch(pattern, value)
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            month, year = (a, b) if order == "my" else (b, a)
            return date(year, month, 1)  # ValueError for month 13
    raise ValueError


def _reader(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    header: list[str] | None = None
    while True:
        try:
            record = next(reader, None)
        except csv.Error as exc:
            # Python's csv module refuses a cell over 131,072 characters (its field size
            # limit), an unclosed quote at the end of the file and the like.
            if "field larger than field limit" in str(exc):
                raise ImportProblems([_too_long(reader.line_num)]) from exc
            raise ImportProblems(
                [_("The file cannot be read as CSV: check its quotes and separators.")]
            ) from exc
        if record is None:
            break
        if any(len(cell) > MAX_CELL for cell in record):
            raise ImportProblems([_too_long(reader.line_num)])
        if not any(cell.strip() for cell in record):
            continue
        if header is not None and record[0].strip().startswith(COMMENT):
            continue
        if header is None:
            header = record
            continue
        rows.append((reader.line_num, record))
        if len(rows) > MAX_ROWS:
            raise ImportProblems([_("The file has more than %(n)d lines.", n=MAX_ROWS)])
    if header is None:
        raise ImportProblems([_("The file is empty.")])
    return header, rows


def _too_long(line: int) -> str:
    return _(
        "Line %(line)d: a cell is longer than %(n)d characters; is this the right CSV file?",
        line=line,
        n=MAX_CELL,
    )


def _map_header(header: list[str], columns: tuple[Column, ...]) -> dict[str, int]:
    wanted = {}
    for column in columns:
        for name in (column.header, column.key, *column.aliases):
            wanted[fold(name).replace("_", " ")] = column.key
    positions: dict[str, int] = {}
    problems = []
    for i, cell in enumerate(header):
        key = wanted.get(fold(cell.strip()).replace("_", " "))
        if key is None:
            problems.append(_("Line 1: unknown column «%(column)s».", column=cell.strip()))
        else:
            positions[key] = i
    for column in columns:
        if column.required and column.key not in positions:
            problems.append(_("Line 1: the column «%(column)s» is missing.", column=column.header))
    if problems:
        raise ImportProblems(problems)
    return positions


def _centers(codes: set[str]) -> dict[str, Center]:
    if not codes:
        return {}
    found = db.session.scalars(sa.select(Center).where(Center.code.in_(codes))).all()
    return {c.code: c for c in found}


class _Line:
    """One CSV line's cells, with the problems found in them."""

    def __init__(self, line, record, positions, columns, problems):
        self.line, self.record, self.positions, self.problems = line, record, positions, problems
        self.headers = {c.key: c.header for c in columns}
        self.maxima = {c.key: c.maximum for c in columns}

    def text(self, key: str) -> str:
        i = self.positions.get(key)
        return self.record[i].strip() if i is not None and i < len(self.record) else ""

    def fail(self, key: str, message: str) -> None:
        self.problems.append(_problem(self.line, self.headers[key], message))

    def month(self, today: date) -> date | None:
        try:
            value = parse_month(self.text("month"))
        except ValueError:
            self.fail("month", _("write the month as MM/YYYY, e.g. 11/2026."))
            return None
        if value > today.replace(day=1):
            self.fail("month", _("the month is in the future."))
            return None
        if value < MIN_MONTH:
            self.fail(
                "month",
                _("the month must be %(first)s or later.", first=MIN_MONTH.strftime("%m/%Y")),
            )
            return None
        return value

    def _number(self, key: str, raw: str):
        try:
            return parse_number(raw)
        except ValueError:
            self.fail(key, _("«%(value)s» is not a number.", value=raw[:40]))
            return None

    def count(self, key: str, *, required: bool = True) -> int | None:
        raw = self.text(key)
        if not raw:
            if required:
                self.fail(key, _("a number is required."))
            return None
        maximum = self.maxima[key] or MAX_COUNT
        too_big = _("the number must be at most %(max)s.", max=format_number(maximum))
        if len(raw) > MAX_NUMBER_TEXT and raw.isascii() and raw.isdigit():
            self.fail(key, too_big)
            return None
        value = self._number(key, raw)
        if value is None:
            return None
        if value < 0:
            self.fail(key, _("the number must not be negative."))
            return None
        if value > maximum:
            self.fail(key, too_big)
            return None
        if value != int(value):
            self.fail(key, _("a whole number of dossiers is required."))
            return None
        return int(value)

    def score(self, key: str, *, required: bool) -> float | None:
        raw = self.text(key)
        if not raw:
            if required:
                self.fail(key, _("a number is required."))
            return None
        value = self._number(key, raw)
        if value is None:
            return None
        maximum = self.maxima[key]
        if value < 0 or value > maximum:
            self.fail(
                key,
                _(
                    "the points must be between 0 and %(max)s.",
                    max=format_number(maximum, 2, trim=True),
                ),
            )
            return None
        return value


def _read(raw_or_text, columns):
    text = decode(raw_or_text) if isinstance(raw_or_text, bytes) else raw_or_text
    header, rows = _reader(text)
    positions = _map_header(header, columns)
    return positions, rows


def read_dossier_csv(raw: bytes | str, *, today: date) -> list[DossierRow]:
    positions, rows = _read(raw, DOSSIER_COLUMNS)
    # Both online columns are optional: many one-stop programs do not export them. Without
    # either, the dossiers received online are not known and are recorded as 0.
    online_known = "online" in positions or "online_share" in positions
    records = [
        {
            "line": line,
            **{
                c.key: (
                    record[positions[c.key]].strip()
                    if c.key in positions and positions[c.key] < len(record)
                    else ""
                )
                for c in DOSSIER_COLUMNS
            },
        }
        for line, record in rows
    ]
    return check_dossier_rows(records, today=today, online_known=online_known)


def check_dossier_rows(
    records: list[dict], *, today: date, online_known: bool = True
) -> list[DossierRow]:
    """Check rows given as text cells keyed by column (CSV or API); all or nothing.

    With ``online_known`` false (a file without an online column) every row's online
    dossiers are 0 and marked as not known."""
    problems: list[str] = []
    keys = [c.key for c in DOSSIER_COLUMNS]
    centers = _centers({str(r.get("center", "")).strip() for r in records})
    counters = {
        (c.center_id, c.number): c
        for c in db.session.scalars(
            sa.select(Counter).where(Counter.center_id.in_([c.id for c in centers.values()]))
        )
    }
    seen: dict[tuple, int] = {}
    out = []
    for record in records:
        cells = [str(record.get(k, "") if record.get(k) is not None else "") for k in keys]
        line = _Line(
            record["line"], cells, {k: i for i, k in enumerate(keys)}, DOSSIER_COLUMNS, problems
        )
        center = centers.get(line.text("center"))
        if center is None:
            line.fail(
                "center", _("no center has the code «%(code)s».", code=line.text("center")[:20])
            )
        counter = None
        number = line.count("counter", required=False) if line.text("counter") else None
        if center is not None and number is not None:
            counter = counters.get((center.id, number))
            if counter is None:
                line.fail("counter", _("the center has no counter number %(n)d.", n=number))
        month = line.month(today)
        received = line.count("received")
        on_time = line.count("on_time")
        late = line.count("late")
        returned = line.count("returned")
        online = line.count("online", required=False) if online_known else 0
        if online is None and line.text("online_share") and received is not None:
            share = line.score("online_share", required=True)
            online = round(received * share / 100) if share is not None else None
        elif online is None and not line.text("online"):
            line.fail("online", _("a number is required."))
        if None not in (received, on_time, late) and on_time + late > received:
            line.fail(
                "on_time",
                _(
                    "on time + late (%(settled)d) is more than received (%(received)d).",
                    settled=on_time + late,
                    received=received,
                ),
            )
        if None not in (received, returned) and returned > received:
            line.fail("returned", _("returned is more than received."))
        if None not in (received, online) and online > received:
            line.fail("online", _("online is more than received."))
        if center is not None and month is not None:
            key = (center.id, counter.id if counter else None, month)
            if key in seen:
                line.fail(
                    "center", _("the same center, counter and month as line %(n)d.", n=seen[key])
                )
            seen[key] = line.line
        if (
            center is not None
            and month is not None
            and None not in (received, on_time, late, returned, online)
        ):
            out.append(
                DossierRow(
                    line.line,
                    center,
                    counter,
                    month,
                    received,
                    on_time,
                    late,
                    returned,
                    online,
                    online_known,
                )
            )
    if problems:
        raise ImportProblems(problems)
    if not out:
        raise ImportProblems([_("The file has no data line.")])
    return out


def read_index_csv(raw: bytes | str, *, today: date) -> list[IndexRow]:
    positions, rows = _read(raw, INDEX_COLUMNS)
    problems: list[str] = []
    codes = set()
    for _line, record in rows:
        i = positions["center"]
        codes.add(record[i].strip() if i < len(record) else "")
    centers = _centers(codes)
    seen: dict[tuple, int] = {}
    out = []
    for number, record in rows:
        line = _Line(number, record, positions, INDEX_COLUMNS, problems)
        center = centers.get(line.text("center"))
        if center is None:
            line.fail(
                "center", _("no center has the code «%(code)s».", code=line.text("center")[:20])
            )
        month = line.month(today)
        values = {k: line.score(k, required=False) for k, _maximum in INDEX_GROUPS}
        total = line.score("total", required=True)
        given = [v for v in values.values() if v is not None]
        if total is not None and len(given) == len(INDEX_GROUPS) and abs(sum(given) - total) > 0.1:
            line.fail(
                "total",
                _(
                    "the total differs from the sum of the groups (%(sum)s).",
                    sum=f"{sum(given):.2f}",
                ),
            )
        if center is not None and month is not None:
            key = (center.id, month)
            if key in seen:
                line.fail("center", _("the same center and month as line %(n)d.", n=seen[key]))
            seen[key] = number
        if center is not None and month is not None and total is not None:
            out.append(IndexRow(number, center, month, values, total))
    if problems:
        raise ImportProblems(problems)
    if not out:
        raise ImportProblems([_("The file has no data line.")])
    return out
