"""Reports written as files staff open in Excel: CSV in UTF-8 with a byte-order mark (without
it Excel reads UTF-8 as the local code page and Chinese turns to mojibake) and XLSX with
openpyxl, numbers as numbers so staff can sum and chart them.

Money arrives as yuan with two places and rates with four (``estate_core.reports.export``):
in a workbook the first show as ``#,##0.00``, the second as percentages; dates as dates.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell as SheetCell
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from estate_core.reports.export import Cell, Table

BOM = "\ufeff"
RATE_EXPONENT = -4
SHEET_TITLE_MAX = 31
"""Excel refuses longer sheet names."""


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def write_csv(table: Table) -> bytes:
    """The table as CSV, UTF-8 with BOM, CRLF line ends (as Excel saves CSV)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows([_text(cell) for cell in row] for row in table.rows)
    return out.getvalue().encode("utf-8")


def _cell(sheet: Worksheet, value: Cell) -> SheetCell:
    """A cell of the sheet; Excel keeps every number as a double and every date as a day count,
    so a ``Decimal`` goes in as a float (cents and rates of four places survive exactly)."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        cell = WriteOnlyCell(sheet, value=float(value))
        rate = isinstance(exponent, int) and exponent == RATE_EXPONENT
        cell.number_format = "0.00%" if rate else "#,##0.00"
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=datetime.combine(value, time()))
        cell.number_format = "yyyy-mm-dd"
    else:
        cell = WriteOnlyCell(sheet, value=value)
    return cell


def write_xlsx(table: Table) -> bytes:
    """The table as a one-sheet workbook, header row in bold, in write-only (streaming) mode."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.title[:SHEET_TITLE_MAX])
    bold = Font(bold=True)
    header = []
    for title in table.headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append([_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
