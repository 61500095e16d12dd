"""Excel workbooks (.xlsx) read with openpyxl into the same rows as a CSV file (issue 15).

Staff keep owners and bills in Excel; asking them to save as CSV first is where encodings and
row numbers go wrong. The first worksheet is read, values only (a formula gives its cached
result). Cells become the text a person sees for them: whole numbers without ``.0`` (a phone
typed as a number is still 11 digits), dates as ``YYYY-MM-DD``. Row numbers are the sheet's.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from estate_core.shared.errors import InvalidInput
from estate_core.shared.tabular import Records, rows_from_records

_EXACT_FLOAT_DIGITS = 15


def read_xlsx_rows(
    data: bytes, aliases: Mapping[str, str], required: Sequence[str], code_prefix: str
) -> list[dict[str, str]]:
    """The rows of the workbook's first sheet, by the rules of ``read_csv_rows``; a file that
    is not a readable workbook raises ``<code_prefix>.unreadable``."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise InvalidInput(
            f"{code_prefix}.unreadable",
            "the file looks like an Excel workbook (.xlsx) but cannot be read: save it again "
            "from Excel, or as CSV UTF-8",
        ) from error
    try:
        return rows_from_records(_records(workbook), aliases, required, code_prefix)
    finally:
        workbook.close()


def _records(workbook: Workbook) -> Records:
    rows: Iterator[tuple[object, ...]] = workbook.worksheets[0].iter_rows(values_only=True)
    for number, values in enumerate(rows, start=1):
        yield number, [_text(value) for value in values]


def _text(value: object) -> str:
    """A cell as the text a person reads in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 10**_EXACT_FLOAT_DIGITS:
            return str(int(value))
        return str(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
