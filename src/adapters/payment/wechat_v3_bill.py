"""The WeChat Pay trade bill 交易账单 (``bill_type=ALL``): download check and parsing.

The bill is CSV text: a header line, one line per payment or refund with every field prefixed
by a back-quote (so spreadsheets keep long numbers as text), then summary lines. Amounts are
yuan with two decimals; times are Beijing time.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from datetime import datetime

from estate_core.payments.gateway import GatewayUnavailable, StatementEntry, StatementEntryKind
from estate_core.shared.clock import CHINA
from estate_core.shared.money import Money

HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
)
SUMMARY = "总交易单数"
GZIP_MAGIC = b"\x1f\x8b"


def unpack_bill(raw: bytes, hash_type: str | None, hash_value: str | None) -> str:
    """The bill text; the download must match the hash the bill request announced."""
    if hash_type and hash_value and not _hash_matches(raw, hash_type, hash_value):
        raise GatewayUnavailable("payment.statement_corrupt", "the bill fails its hash")
    if raw.startswith(GZIP_MAGIC):
        raw = gzip.decompress(raw)
    return raw.decode("utf-8-sig")


def _hash_matches(raw: bytes, hash_type: str, hash_value: str) -> bool:
    """WeChat Pay announces a SHA1 of the file (an integrity check, not a security one)."""
    return hash_type.upper() == "SHA1" and hashlib.sha1(raw).hexdigest() == hash_value.lower()


def _field(value: str) -> str:
    return value.strip().removeprefix("`")


def parse_trade_bill(text: str) -> list[StatementEntry]:
    """One entry per payment line (``SUCCESS``) and per refund line (``REFUND``)."""
    entries: list[StatementEntry] = []
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return entries
    names = [_field(name) for name in rows[0]]
    for row in rows[1:]:
        if not row or _field(row[0]).startswith(SUMMARY):
            break
        line = dict(zip(names, (_field(value) for value in row), strict=False))
        at = datetime.fromisoformat(line["交易时间"]).replace(tzinfo=CHINA)
        refund = line["交易状态"] == "REFUND"
        entries.append(
            StatementEntry(
                kind=StatementEntryKind.REFUND if refund else StatementEntryKind.PAYMENT,
                out_trade_no=line["商户订单号"],
                transaction_id=line["微信订单号"],
                amount=Money.yuan(line["退款金额"] if refund else line["订单金额"]),
                at=at,
                out_refund_no=line["商户退款单号"] if refund else None,
            )
        )
    return entries


def bill_line(fields: dict[str, str]) -> str:
    """One bill line in the gateway's shape (the emulator writes bills with it)."""
    names = HEADER.split(",")
    return ",".join("`" + fields.get(name, "") for name in names)
