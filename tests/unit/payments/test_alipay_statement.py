"""Reading Alipay's zipped GBK trade bill, whatever order its columns come in."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

import attrs
import pytest

from adapters.payment.alipay_statement import parse_statement
from adapters.payment.alipay_wire import BEIJING
from entrypoints.sandbox.alipay_bill import HEADER, BillLine, bill_archive, detail_csv
from estate_core.payments.gateway import StatementEntry, StatementEntryKind
from estate_core.shared.money import Money

DAY = date(2026, 12, 3)
AT = datetime(2026, 12, 3, 10, 0, 30, tzinfo=BEIJING)
PAYMENT = BillLine(
    trade_no="2026120322001400001000000001",
    out_trade_no="261203ABCDEF",
    kind="交易",
    subject="物业费, 2026年12月",
    created_at=AT,
    finished_at=AT,
    buyer="buy***@sandbox.com",
    order_amount="250.00",
    received="250.00",
)
REFUND = attrs.evolve(PAYMENT, kind="退款", received="-20.50", out_request_no="R1")
ENTRIES = [
    StatementEntry(
        kind=StatementEntryKind.PAYMENT,
        out_trade_no="261203ABCDEF",
        transaction_id="2026120322001400001000000001",
        amount=Money(25_000),
        at=AT,
    ),
    StatementEntry(
        kind=StatementEntryKind.REFUND,
        out_trade_no="261203ABCDEF",
        transaction_id="2026120322001400001000000001",
        amount=Money(2_050),
        at=AT,
        out_refund_no="R1",
    ),
]


def archive_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text.encode("gbk"))
    return buffer.getvalue()


def test_payments_and_refunds_are_read_from_the_bill_as_alipay_zips_it() -> None:
    assert parse_statement(bill_archive("2088102177846880", DAY, [PAYMENT, REFUND], AT)) == ENTRIES


def test_columns_are_found_by_name_not_by_place() -> None:
    text = detail_csv("2088102177846880", DAY, [PAYMENT, REFUND], AT)
    rows = [line for line in text.splitlines() if not line.startswith("#")]
    out = io.StringIO()
    csv.writer(out).writerows(list(reversed(cells)) for cells in csv.reader(rows))
    assert out.getvalue().startswith("备注,")
    reversed_bill = archive_of({"2088_20261203_业务明细.csv": out.getvalue()})
    assert parse_statement(reversed_bill) == ENTRIES


def test_lines_of_other_kinds_are_left_out() -> None:
    frozen = attrs.evolve(PAYMENT, kind="冻结")
    bill = bill_archive("2088102177846880", DAY, [PAYMENT, frozen], AT)
    assert parse_statement(bill) == ENTRIES[:1]


@pytest.mark.parametrize(
    "archive",
    [
        b"not a zip",
        archive_of({"summary.csv": "#nothing"}),
        archive_of({"2088_20261203_业务明细.csv": "#只有注释\n"}),
        archive_of({"2088_20261203_业务明细.csv": "支付宝交易号,商户订单号\n1,2\n"}),
        archive_of({"2088_20261203_业务明细.csv": ",".join(HEADER) + "\n1,2,交易\n"}),
    ],
    ids=["not a zip", "no detail file", "no header", "columns missing", "short line"],
)
def test_anything_but_a_bill_is_an_error(archive: bytes) -> None:
    with pytest.raises(ValueError, match=r"bill|detail"):
        parse_statement(archive)
