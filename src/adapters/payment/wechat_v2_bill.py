"""The v2 daily statement 对账单 (``/pay/downloadbill``, ``bill_type=ALL``) as statement entries.

The statement is text, not XML: a header line of Chinese column names, one line per trade with
every field prefixed by a backtick (so spreadsheet tools keep long numbers as text), then a
summary header (``总交易单数,…``) and one summary line. Amounts are yuan with two decimals, times
Beijing time. Columns are found by name, so the older layout (``子商户号`` instead of
``特约商户号``, ``总金额`` and no ``申请退款金额``) reads too.
"""

from __future__ import annotations

from datetime import UTC, datetime

from estate_core.payments.gateway import (
    GatewayRefused,
    GatewayUnavailable,
    StatementEntry,
    StatementEntryKind,
)
from estate_core.shared.clock import CHINA
from estate_core.shared.errors import InvalidInput
from estate_core.shared.money import Money

SUMMARY_HEADER = "总交易单数"
NO_BILL = "No Bill Exist"
"""``return_msg`` of the FAIL answer for a day without trades: an empty statement."""

_SUB_MERCHANT_COLUMNS = ("特约商户号", "子商户号")


def _fields(line: str) -> list[str]:
    if not line.startswith("`"):
        raise ValueError(f"a statement line starts with a backtick: {line[:40]!r}")
    return line[1:].split(",`")


def _column(row: dict[str, str], *names: str) -> str:
    for name in names:
        if row.get(name):
            return row[name]
    raise ValueError(f"the statement has no {' / '.join(names)}")


def _yuan(value: str) -> Money:
    try:
        return Money.yuan(value)
    except InvalidInput as exc:
        raise ValueError(str(exc)) from exc


def _at(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA).astimezone(UTC)


def parse_statement(text: str, mch_id: str, sub_mch_id: str | None) -> list[StatementEntry]:
    """Payments (``SUCCESS``) and refunds done (``REFUND``) of the statement; revoked trades
    and refunds still processing are not money moved. Raises :class:`GatewayUnavailable` for
    a truncated or unreadable statement, :class:`GatewayRefused` for another merchant's."""
    lines = [line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    try:
        header = lines[0].split(",")
        end = next(i for i, line in enumerate(lines) if line.startswith(SUMMARY_HEADER))
        rows = [dict(zip(header, _fields(line), strict=True)) for line in lines[1:end]]
        summary = dict(zip(lines[end].split(","), _fields(lines[end + 1]), strict=True))
        if int(summary[SUMMARY_HEADER]) != len(rows):
            raise ValueError("the statement's count of trades is not its number of lines")
        entries = [_entry(row, mch_id, sub_mch_id) for row in rows]
    except (ValueError, IndexError, KeyError, StopIteration) as exc:
        raise GatewayUnavailable(f"unreadable WeChat Pay statement: {exc}") from exc
    return [entry for entry in entries if entry is not None]


def _entry(row: dict[str, str], mch_id: str, sub_mch_id: str | None) -> StatementEntry | None:
    sub = next((row[name] for name in _SUB_MERCHANT_COLUMNS if name in row), "")
    if row["商户号"] != mch_id or (sub if sub not in ("", "0") else None) != sub_mch_id:
        raise GatewayRefused("the statement lists another merchant's trades", merchant=sub)
    state = row["交易状态"]
    out_trade_no, transaction_id = _column(row, "商户订单号"), _column(row, "微信订单号")
    at = _at(row["交易时间"])
    if state == "SUCCESS":
        return StatementEntry(
            kind=StatementEntryKind.PAYMENT,
            out_trade_no=out_trade_no,
            transaction_id=transaction_id,
            amount=_yuan(_column(row, "订单金额", "应结订单金额", "总金额")),
            at=at,
        )
    if state == "REFUND" and row.get("退款状态", "SUCCESS") == "SUCCESS":
        return StatementEntry(
            kind=StatementEntryKind.REFUND,
            out_trade_no=out_trade_no,
            transaction_id=transaction_id,
            amount=_yuan(_column(row, "申请退款金额", "退款金额")),
            at=at,
            out_refund_no=_column(row, "商户退款单号"),
        )
    return None
