"""The trade bill 业务明细 file as Alipay serves it: a zip of two GBK CSV files, GBK-named.

Python's ``zipfile`` names non-ASCII members in UTF-8 and flags them so; Alipay's archives
carry GBK names without the flag, which readers must decode themselves. The archive is written
with same-length ASCII stand-ins for the names, whose bytes are then swapped for the GBK ones
(a zip's checksums cover contents, not names).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from datetime import date, datetime

import attrs

HEADER = (
    "支付宝交易号",
    "商户订单号",
    "业务类型",
    "商品名称",
    "创建时间",
    "完成时间",
    "门店编号",
    "门店名称",
    "操作员",
    "终端号",
    "对方账户",
    "订单金额（元）",
    "商家实收（元）",
    "支付宝红包（元）",
    "集分宝（元）",
    "支付宝优惠（元）",
    "商家优惠（元）",
    "券核销金额（元）",
    "券名称",
    "商家红包消费金额（元）",
    "卡消费金额（元）",
    "退款批次号/请求号",
    "服务费（元）",
    "分润（元）",
    "备注",
)
_RULE = "-" * 40


@attrs.frozen(kw_only=True)
class BillLine:
    """One line: a payment (``交易``) or a refund (``退款``, its amount negative)."""

    trade_no: str
    out_trade_no: str
    kind: str
    subject: str
    created_at: datetime
    finished_at: datetime
    buyer: str
    order_amount: str
    received: str
    out_request_no: str = ""


def _row(line: BillLine) -> list[str]:
    stamp = "%Y-%m-%d %H:%M:%S"
    cells = dict.fromkeys(HEADER, "")
    cells.update(
        {
            "支付宝交易号": f"{line.trade_no}\t",
            "商户订单号": f"{line.out_trade_no}\t",
            "业务类型": line.kind,
            "商品名称": line.subject,
            "创建时间": line.created_at.strftime(stamp),
            "完成时间": line.finished_at.strftime(stamp),
            "对方账户": line.buyer,
            "订单金额（元）": line.order_amount,
            "商家实收（元）": line.received,
            "退款批次号/请求号": f"{line.out_request_no}\t" if line.out_request_no else "",
        }
    )
    for name in HEADER[13:21]:
        if name != "券名称":
            cells[name] = "0.00"
    cells["服务费（元）"] = "0.00"
    cells["分润（元）"] = "0.00"
    return [cells[name] for name in HEADER]


def detail_csv(seller_id: str, day: date, lines: Sequence[BillLine], exported: datetime) -> str:
    out = io.StringIO()
    out.write(f"#支付宝业务明细查询\n#账号：[{seller_id}]\n")
    out.write(
        f"#起始日期：[{day:%Y年%m月%d日} 00:00:00]   终止日期：[{day:%Y年%m月%d日} 23:59:59]\n"
    )
    out.write(f"#{_RULE}业务明细列表{_RULE}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(_row(line) for line in lines)
    payments = sum(1 for line in lines if line.kind == "交易")
    out.write(f"#{_RULE}业务明细列表结束{_RULE}\n")
    out.write(f"#交易合计：{payments}笔，退款合计：{len(lines) - payments}笔\n")
    out.write(f"#导出时间：[{exported:%Y年%m月%d日 %H:%M:%S}]\n")
    return out.getvalue()


def summary_csv(seller_id: str, day: date, lines: Sequence[BillLine]) -> str:
    payments = [line for line in lines if line.kind == "交易"]
    refunds = [line for line in lines if line.kind == "退款"]
    return (
        f"#支付宝业务汇总查询\n#账号：[{seller_id}]\n#日期：[{day:%Y年%m月%d日}]\n"
        "门店编号,门店名称,交易订单总笔数,退款订单总笔数\n"
        f"合计,,{len(payments)},{len(refunds)}\n#结束\n"
    )


def bill_archive(seller_id: str, day: date, lines: Sequence[BillLine], exported: datetime) -> bytes:
    """``<seller>_<yyyymmdd>.csv.zip`` holding the detail and the summary, GBK throughout."""
    stem = f"{seller_id}_{day:%Y%m%d}"
    files = {
        f"{stem}_业务明细.csv": detail_csv(seller_id, day, lines, exported),
        f"{stem}_业务明细(汇总).csv": summary_csv(seller_id, day, lines),
    }
    buffer = io.BytesIO()
    stand_ins: dict[bytes, bytes] = {}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (name, text) in enumerate(files.items()):
            real = name.encode("gbk")
            stand_in = f"alipay-bill-member-{number}-".encode("ascii").ljust(len(real), b"x")
            stand_ins[stand_in] = real
            archive.writestr(stand_in.decode("ascii"), text.encode("gbk"))
    data = buffer.getvalue()
    for stand_in, real in stand_ins.items():
        if data.count(stand_in) != 2:
            raise RuntimeError("a member name is not in exactly its two headers")
        data = data.replace(stand_in, real)
    return data
