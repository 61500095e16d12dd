"""Reading the spreadsheets staff import (owners, bills: seed 004) into rows, and collecting each
row's errors so a refused file lists every problem at once.

CSV is parsed here with the standard library; XLSX is read by an adapter into the same rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from estate_core.shared.errors import InvalidInput


def read_csv_rows(
    data: bytes | str, aliases: Mapping[str, str], required: Sequence[str], code_prefix: str
) -> list[dict[str, str]]:
    """The rows of a CSV file, keyed by the canonical names ``aliases`` maps header names to.

    Header names match case-insensitively. Bytes are read as UTF-8 (with or without the BOM
    Excel writes) or else GB18030, which is how Excel saves CSV on Chinese Windows. Unknown
    columns are ignored; blank lines are skipped. A file without a header raises
    ``<code_prefix>.empty``, one lacking a ``required`` column ``<code_prefix>.missing_columns``.
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030")
    else:
        text = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise InvalidInput(f"{code_prefix}.empty", "the file has no rows")
    names = [aliases.get(name.strip().lower(), "") for name in header]
    missing = [column for column in required if column not in names]
    if missing:
        raise InvalidInput(
            f"{code_prefix}.missing_columns", f"the file lacks columns {missing}", columns=missing
        )
    rows = []
    for values in reader:
        if not any(value.strip() for value in values):
            continue
        rows.append({name: value for name, value in zip(names, values, strict=False) if name})
    return rows


class RowErrors:
    """The problems of one row: ``{"field", "code", "message"}`` each."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def add(self, field: str, code: str, message: str) -> None:
        self.errors.append({"field": field, "code": code, "message": message})


def cleaned(raw: Mapping[str, object]) -> dict[str, str]:
    """A row's values as stripped strings, missing cells as ``""``."""
    return {key: "" if value is None else str(value).strip() for key, value in raw.items()}
