"""The officers' Excel sheet for the annual appraisal ("thái độ phục vụ" component):
one sheet per center or per scope, the method stated above the table.

Numbers stay numbers (a spreadsheet sums them): Excel shows their decimal separator in
the reader's own locale, a comma in Vietnamese. The method's text is written in the
request's language with its number format.
"""

from __future__ import annotations

import io

import xlsxwriter
from flask_babel import gettext as _

from ..i18n import format_number
from ..scoring import rules
from ..shared.spreadsheet import safe_cell
from ..shared.timeutils import now_utc
from .officer_classes import OfficerClassRow, Scope


def _method_lines(scope: Scope, band_values: tuple) -> list[str]:
    excellent, good, done = (format_number(b, 2, trim=True) for b in band_values)
    return [
        _(
            "Ratings: the citizens' reportable ratings of each officer from %(start)s to "
            "%(end)s (ratings held for review and staff-assisted ones are left out).",
            start=scope.start.strftime("%d/%m/%Y"),
            end=scope.end.strftime("%d/%m/%Y"),
        ),
        _(
            "n: number of ratings; CSAT: share of ratings 4–5; Wilson: the 95%% lower bound "
            "of CSAT; S: mean of (score − 1) / 4 × 100."
        ),
        _(
            "S_adj = (n × S + m × S of the center) / (n + m) with m = %(m)d: an officer with "
            "few ratings is drawn toward the center's index.",
            m=scope.prior_weight,
        ),
        _(
            "Class on S_adj (two decimals), only from %(min_n)d ratings: above %(excellent)s "
            "excellent; above %(good)s good; from %(done)s done; below, not done.",
            min_n=scope.min_n,
            excellent=excellent,
            good=good,
            done=done,
        ),
        _(
            "The bands follow a province's civil-servant rubric (DOMAIN.md §3); they are not "
            "verified for this province and are a setting: confirm them against its own "
            "appraisal rules. This is only the citizen-satisfaction component of the appraisal."
        ),
    ]


def officer_workbook(
    rows: list[OfficerClassRow], *, title: str, scope: Scope, band_values: tuple
) -> bytes:
    """The sheet as xlsx bytes."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True})
    big = book.add_format({"bold": True, "font_size": 13})
    header = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    dec = book.add_format({"num_format": "0.00"})
    pct = book.add_format({"num_format": "0.00%"})
    sheet = book.add_worksheet(_("Service attitude")[:31])
    sheet.write_string(0, 0, safe_cell(title), big)
    sheet.write_string(
        1,
        0,
        safe_cell(
            _(
                "Period: %(label)s · made on %(date)s",
                label=scope.label,
                date=now_utc().strftime("%d/%m/%Y"),
            )
        ),
    )
    sheet.write_string(2, 0, _("Method"), bold)
    lines = _method_lines(scope, band_values)
    for i, line in enumerate(lines):
        sheet.write_string(3 + i, 0, line)
    top = 4 + len(lines)
    columns = (
        (_("Center code"), 10),
        (_("Center"), 40),
        (_("Officer"), 28),
        (_("Counter"), 8),
        ("n", 8),
        (_("Satisfied (CSAT)"), 12),
        (_("Wilson lower bound"), 12),
        (_("Satisfaction index S"), 12),
        (_("Center's index S"), 12),
        ("S_adj", 10),
        (_("Class"), 26),
        (_("Rank in the center"), 10),
        (_("Rank in the province"), 10),
    )
    for col, (label, width) in enumerate(columns):
        sheet.set_column(col, col, width)
        sheet.write_string(top, col, label, header)
    for i, r in enumerate(rows, start=top + 1):
        f = r.figures
        sheet.write_string(i, 0, r.center.code)
        sheet.write_string(i, 1, safe_cell(r.center.name))
        sheet.write_string(i, 2, safe_cell(r.officer.full_name))
        if r.officer.counter is not None:
            sheet.write_number(i, 3, r.officer.counter.number)
        sheet.write_number(i, 4, f.n)
        for col, value, fmt in (
            (5, f.csat_exact, pct),
            (6, f.wilson_exact, pct),
            (7, f.index_exact, dec),
            (8, r.center_index, dec),
            (9, r.adjusted, dec),
        ):
            if value is not None:
                # As on the pages, rounded once, half up: a share to four decimals (a
                # percentage with two), an index to two.
                digits = 4 if fmt is pct else 2
                sheet.write_number(i, col, float(rules.round_half_up(value, digits)), fmt)
        sheet.write_string(i, 10, r.class_label or _("not enough ratings"))
        if r.row.center_rank:
            sheet.write_number(i, 11, r.row.center_rank)
        if r.row.province_rank:
            sheet.write_number(i, 12, r.row.province_rank)
    sheet.freeze_panes(top + 1, 0)
    book.close()
    return out.getvalue()
