"""Reading the spreadsheets staff import (owners, bills: seed 004) into rows, and collecting each
row's errors so a refused file lists every problem at once.

CSV is parsed here with the standard library; XLSX is read by an adapter into the same rows.
Every row remembers the line of the file it came from (:class:`SheetRow`), so an error names
the line staff see in their editor even after blank lines, ``,,,,`` lines or cells that span
lines. A file that is not CSV text is refused with one sentence, never a decoding traceback.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from estate_core.shared.errors import InvalidInput

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""The container of Excel 97-2003 workbooks (.xls)."""

Records = Iterable[tuple[int, list[str] | None]]
"""``(line or row number, cells)`` of a file; ``None`` cells for a record that cannot be read."""


def is_xlsx(data: bytes) -> bool:
    """Whether ``data`` is a zip container, as an Excel workbook (.xlsx) is."""
    return data.startswith(_ZIP_MAGIC)


class SheetRow(dict[str, str]):
    """One row of a file, keyed by canonical column names, with its ``line`` in the file."""

    def __init__(self, values: Mapping[str, str], line: int) -> None:
        super().__init__(values)
        self.line = line


def row_number(row: Mapping[str, Any], default: int) -> int:
    """The line ``row`` came from when it was read from a file, else ``default``."""
    return row.line if isinstance(row, SheetRow) else default


def decode_text(data: bytes, code_prefix: str) -> str:
    """The text of a file: UTF-16 when it starts with a UTF-16 byte-order mark (Excel's "Unicode
    text"), else UTF-8 (with or without the BOM Excel writes), else GB18030 (Excel's CSV on
    Chinese Windows). An Excel workbook or anything else raises ``<code_prefix>.unreadable``."""
    if is_xlsx(data):
        raise InvalidInput(
            f"{code_prefix}.unreadable",
            "this is an Excel workbook (.xlsx), not CSV: save it as CSV UTF-8 and import that",
        )
    if data.startswith(_OLE_MAGIC):
        raise InvalidInput(
            f"{code_prefix}.unreadable",
            "this is an old Excel workbook (.xls): save it as .xlsx or CSV UTF-8 and import that",
        )
    encodings = ("utf-16",) if data.startswith(_UTF16_BOMS) else ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InvalidInput(
        f"{code_prefix}.unreadable",
        "the file is not CSV text in UTF-8, UTF-16 or GB18030: save it as CSV UTF-8",
    )


def _records(text: str) -> Iterator[tuple[int, list[str] | None]]:
    """``(first line, cells)`` per CSV record; ``None`` cells for a record the csv module cannot
    read (a cell over its field limit). Any line ending reads: LF, CRLF, and CR-only (old Mac)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    read = 0
    while True:
        try:
            values: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error:
            values = None
        yield read + 1, values
        read = reader.line_num


def read_csv_rows(
    data: bytes | str, aliases: Mapping[str, str], required: Sequence[str], code_prefix: str
) -> list[dict[str, str]]:
    """The rows of a CSV file, keyed by the canonical names ``aliases`` maps header names to.

    Header names match case-insensitively. Bytes are decoded by :func:`decode_text`. Unknown
    columns are ignored; blank lines are skipped. A file without a header raises
    ``<code_prefix>.empty``, one lacking a ``required`` column ``<code_prefix>.missing_columns``,
    and one with rows the csv module cannot read ``<code_prefix>.invalid`` with those rows'
    errors in ``details["rows"]``, like an import's own row errors.
    """
    text = decode_text(data, code_prefix) if isinstance(data, bytes) else data
    return rows_from_records(_records(text.removeprefix("\ufeff")), aliases, required, code_prefix)


def rows_from_records(
    records: Records, aliases: Mapping[str, str], required: Sequence[str], code_prefix: str
) -> list[dict[str, str]]:
    """The rows of a file read into records (CSV here, XLSX by an adapter): the first record
    with a value is the header; the rules and errors are those of :func:`read_csv_rows`."""
    records = iter(records)
    header = next((values for _, values in records if values is not None and any(values)), None)
    if header is None:
        raise InvalidInput(f"{code_prefix}.empty", "the file has no rows")
    names = [aliases.get(name.strip().lower(), "") for name in header]
    missing = [column for column in required if column not in names]
    if missing:
        raise InvalidInput(
            f"{code_prefix}.missing_columns", f"the file lacks columns {missing}", columns=missing
        )
    rows: list[dict[str, str]] = []
    unreadable: list[dict[str, Any]] = []
    for line, values in records:
        if values is None:
            problem = {"field": "", "code": f"{code_prefix}.unreadable_row", "message": _TOO_LONG}
            unreadable.append({"row": line, "errors": [problem]})
        elif any(value.strip() for value in values):
            cells = {name: value for name, value in zip(names, values, strict=False) if name}
            rows.append(SheetRow(cells, line))
    if unreadable:
        raise InvalidInput(
            f"{code_prefix}.invalid",
            f"{len(unreadable)} rows cannot be read; nothing was imported",
            rows=unreadable,
        )
    return rows


_TOO_LONG = f"a cell is longer than {csv.field_size_limit()} characters or malformed"


class RowErrors:
    """The problems of one row: ``{"field", "code", "message"}`` each."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.errors.append({"field": field, "code": code, "message": message})


def cleaned(raw: Mapping[str, object]) -> dict[str, str]:
    """A row's values as stripped strings, missing cells as ``""``."""
    return {key: "" if value is None else str(value).strip() for key, value in raw.items()}
