"""The .xlsx reader (issue 15): a workbook gives the rows its CSV export would, with the
sheet's own row numbers, and a damaged one is refused in one sentence."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook

from adapters.spreadsheets.xlsx import read_xlsx_rows
from estate_core.billing import imports as bill_imports
from estate_core.shared.errors import InvalidInput
from estate_core.shared.tabular import is_xlsx, row_number


def _workbook(*rows: list[object]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    workbook.save(data)
    return data.getvalue()


def _bill_rows(data: bytes) -> list[dict[str, str]]:
    columns = bill_imports.COLUMN_ALIASES, bill_imports.REQUIRED_COLUMNS
    return read_xlsx_rows(data, *columns, "bill_import")


def test_cells_read_as_the_text_a_person_sees_with_the_sheets_row_numbers() -> None:
    data = _workbook(
        ["楼栋", "单元", "房号", "收费项目", "账期", "金额", "到期日"],
        [1, 1, 101, "物业费", date(2026, 3, 1), 250.5, date(2026, 3, 20)],
        [],
        [None, None, None],
        ["1", "1", "102", "物业费", "2026-03", 1250, None],
    )
    assert is_xlsx(data)
    first, second = _bill_rows(data)
    assert first == {
        "building": "1",
        "unit": "1",
        "room": "101",
        "fee_item": "物业费",
        "period": "2026-03-01",
        "amount": "250.5",
        "due_date": "2026-03-20",
    }
    assert (row_number(first, 0), row_number(second, 0)) == (2, 5)
    assert (second["period"], second["amount"], second["due_date"]) == ("2026-03", "1250", "")


def test_a_damaged_workbook_is_refused_in_one_sentence() -> None:
    data = _workbook(["楼栋"])[:200]
    with pytest.raises(InvalidInput) as raised:
        _bill_rows(data)
    assert raised.value.code == "bill_import.unreadable"
    assert "\n" not in raised.value.message


def test_a_workbook_lacking_a_required_column_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        _bill_rows(_workbook(["楼栋", "单元", "房号", "金额"], [1, 1, 101, 250]))
    assert raised.value.code == "bill_import.missing_columns"
