"""Alipay's daily trade bill 业务明细 as statement lines.

The download is a zip of two GBK-encoded CSV files, named in GBK too (the zip's UTF-8 flag is
unset): ``<user id>_<yyyymmdd>_业务明细.csv`` with one line per payment (业务类型 ``交易``) or
refund (``退款``), and its summary ``…_业务明细(汇总).csv``. Comment lines start with ``#``;
every cell may carry a trailing tab (so spreadsheets keep long numbers as text); Alipay warns
that the column order may change, so columns are found by their header names.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile

from adapters.payment.alipay_wire import fen_from_yuan, from_beijing
from estate_core.payments.gateway import StatementEntry, StatementEntryKind

log = logging.getLogger(__name__)

DETAIL_SUFFIX = "_业务明细.csv"
TRADE_NO = "支付宝交易号"
OUT_TRADE_NO = "商户订单号"
KIND = "业务类型"
FINISHED_AT = "完成时间"
ORDER_AMOUNT = "订单金额（元）"
RECEIVED = "商家实收（元）"
OUT_REQUEST_NO = "退款批次号/请求号"
KINDS = {"交易": StatementEntryKind.PAYMENT, "退款": StatementEntryKind.REFUND}


def member_name(info: zipfile.ZipInfo) -> str:
    """The real name of a zip member: names without the UTF-8 flag are GBK, not cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    return info.filename.encode("cp437").decode("gbk")


def parse_statement(archive: bytes) -> list[StatementEntry]:
    """The lines of the bill in ``archive``; ``ValueError`` when it is not such a bill."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as bill:
            details = [i for i in bill.infolist() if member_name(i).endswith(DETAIL_SUFFIX)]
            if len(details) != 1:
                raise ValueError("the archive holds no single detail file (业务明细)")
            text = bill.read(details[0]).decode("gbk")
    except (zipfile.BadZipFile, UnicodeError) as error:
        raise ValueError(f"not an Alipay bill: {error}") from None
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    if not rows:
        raise ValueError("the detail file has no header")
    table = csv.reader(rows)
    header = [cell.strip() for cell in next(table)]
    missing = {TRADE_NO, OUT_TRADE_NO, KIND, FINISHED_AT, ORDER_AMOUNT, RECEIVED, OUT_REQUEST_NO}
    missing -= set(header)
    if missing:
        raise ValueError(f"the detail file lacks the columns {sorted(missing)}")
    entries = []
    try:
        for cells in table:
            if len(cells) != len(header):
                raise ValueError(f"a line of the detail file has {len(cells)} cells")
            entry = _entry(dict(zip(header, (cell.strip() for cell in cells), strict=True)))
            if entry is not None:
                entries.append(entry)
    except csv.Error as error:
        raise ValueError(f"the detail file is not CSV: {error}") from None
    return entries


def _entry(row: dict[str, str]) -> StatementEntry | None:
    kind = KINDS.get(row[KIND])
    if kind is None:
        log.info("alipay bill: a line of kind %r is not a payment or refund", row[KIND])
        return None
    refund = kind is StatementEntryKind.REFUND
    amount = row[RECEIVED].removeprefix("-") if refund else row[ORDER_AMOUNT]
    return StatementEntry(
        kind=kind,
        out_trade_no=row[OUT_TRADE_NO],
        transaction_id=row[TRADE_NO],
        amount=fen_from_yuan(amount),
        at=from_beijing(row[FINISHED_AT]),
        out_refund_no=row[OUT_REQUEST_NO] if refund else None,
    )
