"""Reports written as CSV that Excel opens as UTF-8 (byte-order mark) and as XLSX whose numbers
are numbers: money as #,##0.00, rates as percentages, dates as dates."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from adapters.spreadsheets.writers import write_csv, write_xlsx
from estate_core.reports.export import Table

TABLE = Table(
    title="收缴率",
    headers=("账期", "应收笔数", "应收金额", "收缴率(金额)", "备注"),
    rows=[
        (date(2026, 1, 1), 3, Decimal("987.70"), Decimal("0.2537"), '一期, "东区"'),
        (date(2026, 2, 1), 0, Decimal("0.00"), None, None),
    ],
)


def test_csv_is_utf8_with_bom_and_reads_back_cell_for_cell() -> None:
    data = write_csv(TABLE)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["账期", "应收笔数", "应收金额", "收缴率(金额)", "备注"],
        ["2026-01-01", "3", "987.70", "0.2537", '一期, "东区"'],
        ["2026-02-01", "0", "0.00", "", ""],
    ]
    assert data.count(b"\r\n") == 3


def _day_or_value(value: object) -> object:
    """A date cell reads back as midnight of its day."""
    return value.date() if isinstance(value, datetime) else value


def test_xlsx_holds_numbers_dates_and_formats() -> None:
    sheet = load_workbook(io.BytesIO(write_xlsx(TABLE))).active
    assert sheet is not None
    assert sheet.title == "收缴率"
    values = [[_day_or_value(cell.value) for cell in row] for row in sheet.iter_rows()]
    assert values == [
        ["账期", "应收笔数", "应收金额", "收缴率(金额)", "备注"],
        [date(2026, 1, 1), 3, 987.7, 0.2537, '一期, "东区"'],
        [date(2026, 2, 1), 0, 0, None, None],
    ]
    assert sheet["A1"].font.bold
    assert [sheet[ref].number_format for ref in ("A2", "C2", "D2")] == [
        "yyyy-mm-dd",
        "#,##0.00",
        "0.00%",
    ]
