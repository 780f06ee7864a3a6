"""CSV (UTF-8 with BOM) and xlsx (XlsxWriter, constant-memory) writers of a ``Table``.

Every text cell goes through :func:`portal.shared.spreadsheet.safe_cell`: nothing a citizen
or a manager typed can become a formula. XlsxWriter is told never to turn strings into
formulas or links either.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import IO

import xlsxwriter

from ..shared.spreadsheet import csv_text, safe_cell
from .services import Table

Progress = Callable[[int], None]
EVERY = 500


def write_csv(table: Table, out: IO[str], progress: Progress | None = None) -> int:
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in table.columns])
    n = 0
    for row in table.rows:
        writer.writerow([csv_text(v) for v in row])
        n += 1
        if progress and n % EVERY == 0:
            progress(n)
    return n


NUMBER_FORMATS = {
    "int": "#,##0",
    "dec": "#,##0.00",
    "pct": "0.00%",
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}


def write_xlsx(table: Table, path: str, progress: Progress | None = None) -> int:
    workbook = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "tmpdir": None,
        },
    )
    header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    formats = {k: workbook.add_format({"num_format": f}) for k, f in NUMBER_FORMATS.items()}
    sheet = workbook.add_worksheet(table.title[:31])
    for col, column in enumerate(table.columns):
        sheet.set_column(col, col, column.width, formats.get(column.kind))
        sheet.write_string(0, col, column.header, header)
    sheet.freeze_panes(1, 0)
    n = 0
    for n, row in enumerate(table.rows, start=1):
        for col, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            value = safe_cell(value)
            if value is None or value == "":
                continue
            if column.kind == "bool":
                sheet.write_string(n, col, "Có" if value else "Không")
            elif column.kind in ("date", "datetime"):
                sheet.write_datetime(n, col, value, formats[column.kind])
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(n, col, value, formats.get(column.kind))
            else:
                sheet.write_string(n, col, str(value))
        if progress and n % EVERY == 0:
            progress(n)
    sheet.autofilter(0, 0, max(n, 1), len(table.columns) - 1)
    workbook.close()
    return n
