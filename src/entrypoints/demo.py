"""`estate demo`: a property company's first day, told through the core's use cases.

Every step below is a real use case on the composed application; nothing is faked but the
gateway's notification, which a payment adapter would deliver, and the SMS, which the console
sender logs instead of sending.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import attrs

from adapters.sms.console import ConsoleSmsSender
from entrypoints.bootstrap import Estate
from estate_core.billing import billing_run, queries
from estate_core.billing import services as billing
from estate_core.billing.calculation import Calculation
from estate_core.billing.fee_item import DueRule, DueRuleKind, FeeCategory, LateFeePolicy
from estate_core.identity import login_services, staff_services
from estate_core.identity import services as identity
from estate_core.identity.model import SurplusPolicy
from estate_core.payments.credentials import WechatV2Credentials
from estate_core.payments.services import checkout, gateway_accounts, settlement
from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.properties import services as properties
from estate_core.properties.model import PropertyKind
from estate_core.service import workorder_services as repairs
from estate_core.shared.access import ResidentActor
from estate_core.shared.clock import local_date
from estate_core.shared.errors import DomainError
from estate_core.shared.money import Money, total

WECHAT_ACCOUNT = MerchantAccount(app_id="wx2421b1c4370ec43b", merchant_id="1900000109")

OWNERS = [
    ("1", "1", "101", "89.50", "张伟", "13800138001"),
    ("1", "1", "102", "120.00", "王芳", "13800138002"),
    ("2", "1", "301", "143.25", "李娜", "13800138003"),
]


DEMO_TENANT_ID = UUID("01000000-0000-7000-8000-00000000de70")
"""Fixed, so that running the demo again finds the company it loaded before."""

LOGINS = (
    "Logins (SMS codes are printed by the console SMS sender):",
    "  administrator 物业管理员  13900139000",
    "  technician    刘师傅      13700137001",
    "  owner         张伟        13800138001  home 1-1-101 (bound)",
    "  owner         王芳        13800138002  home 1-1-102 (not yet bound)",
)


def run_demo(
    estate: Estate, say: Callable[[str], None] = print, tenant_id: UUID = DEMO_TENANT_ID
) -> bool:
    """Load the demo company and walk through the core; False if it was already loaded."""
    uow = estate.uow(tenant_id)
    clock = estate.clock
    with uow:
        if uow.tenants.find(tenant_id) is not None:
            say("The demo property company 阳光物业 is already loaded.")
            for line in LOGINS:
                say(line)
            return False
    opened = identity.open_tenant(
        uow,
        clock,
        identity.OpenTenant(
            name="阳光物业服务有限公司",
            admin_name="物业管理员",
            admin_phone="13900139000",
            surplus_policy=SurplusPolicy.REFUND,
        ),
    )
    admin = staff_services.staff_actor(uow, opened.admin_staff_id)
    say(f"1. Opened the property company 阳光物业 (tenant {tenant_id}) with an administrator.")

    community_id = identity.create_community(
        uow, admin, identity.CreateCommunity(name="阳光花园", address="成都市高新区天府大道 1 号")
    )
    homes = []
    for building, unit, room, area, name, phone in OWNERS:
        property_id = properties.register_property(
            uow,
            admin,
            properties.RegisterProperty(
                community_id=community_id,
                kind=PropertyKind.RESIDENCE,
                building=building,
                unit=unit,
                room=room,
                area=Decimal(area),
            ),
        )
        properties.record_owner(
            uow,
            clock,
            admin,
            properties.RecordOwner(property_id=property_id, name=name, phone=phone),
        )
        homes.append(property_id)
    say(
        f"2. Community 阳光花园 (community {community_id}) with {len(homes)} homes and their "
        "owners of record imported."
    )

    building, unit, room, area, name, phone = OWNERS[0]
    login_services.request_login_code(
        uow,
        clock,
        estate.sms,
        estate.code_secret,
        login_services.RequestLoginCode(phone=phone, ip="127.0.0.1"),
    )
    code = _last_code(estate, phone)
    resident_id = login_services.login_with_code(
        uow,
        clock,
        estate.code_secret,
        login_services.LoginWithCode(phone=phone, code=code, wechat_openid="oDemoOpenId0001"),
    )
    owner = ResidentActor(resident_id=resident_id)
    home_address = f"{building}-{unit}-{room}"
    home = properties.claim_property(
        uow,
        clock,
        owner,
        properties.ClaimProperty(
            community_id=community_id,
            building=building,
            unit=unit,
            room=room,
            owner_name=name,
            owner_phone=phone,
        ),
    )
    say(f"3. {name} logged in with SMS code {code} from WeChat and bound home {home_address}.")

    today = local_date(clock.now())
    period = today.replace(day=1)
    billing.create_fee_item(
        uow,
        admin,
        billing.CreateFeeItem(
            community_id=community_id,
            name="物业费",
            category=FeeCategory.PROPERTY_FEE,
            calculation=Calculation.PER_AREA,
            unit_price=Decimal("2.80"),
            property_kinds=frozenset({PropertyKind.RESIDENCE}),
            first_period_start=period,
            due_rule=DueRule(kind=DueRuleKind.DAYS_AFTER_START, value=15),
            late_fee=LateFeePolicy(daily_rate=Decimal("0.0005")),
        ),
    )
    run = billing_run.RunBilling(community_id=community_id, period_start=period)
    first = billing_run.run_billing(uow, clock, admin, run)
    again = billing_run.run_billing(uow, clock, admin, run)
    say(
        f"4. Billing run for {period:%Y-%m}: {first.issued} bills issued at ¥2.80/m²/month; "
        f"run again: {again.issued} new, {again.already_issued} already there (idempotent)."
    )

    due = queries.list_property_bills(
        uow, clock, owner, queries.ListPropertyBills(property_id=home, view=queries.BillView.DUE)
    ).items
    amount = total([line.amount_due for line in due])
    late_fee = total([line.late_fee for line in due])
    say(
        f"5. {name} sees {len(due)} bill(s) to pay (应缴): {amount} for {area} m², "
        f"plus {late_fee} late fee (滞纳金) as of today."
    )

    gateway_accounts.set_gateway_account(
        uow,
        clock,
        estate.platform,
        admin,
        gateway_accounts.SetGatewayAccount(
            credentials=WechatV2Credentials(
                app_id=WECHAT_ACCOUNT.app_id,
                mch_id=WECHAT_ACCOUNT.merchant_id,
                api_key=secrets.token_hex(16),
            ),
            gateway_url="https://api.mch.weixin.qq.com",
        ),
    )
    payment = checkout.start_bill_payment(
        uow,
        clock,
        estate.merchant_accounts,
        owner,
        checkout.PayBills(
            property_id=home,
            bill_ids=tuple(line.bill_id for line in due),
            channel=PaymentChannel.WECHAT_JSAPI,
        ),
    )
    notification = settlement.SettlePayment(
        out_trade_no=payment.out_trade_no,
        paid_amount=payment.amount,
        merchant=WECHAT_ACCOUNT,
        transaction_id="4200001234202611220000000001",
    )
    settled = settlement.settle_payment(uow, clock, notification)
    duplicate = settlement.settle_payment(uow, clock, notification)
    say(
        f"6. WeChat Pay order {payment.out_trade_no} for {payment.amount}: first notification "
        f"{settled.outcome.value}, the duplicate {duplicate.outcome.value} (settled once)."
    )
    try:
        settlement.settle_payment(
            uow, clock, attrs.evolve(notification, paid_amount=payment.amount - Money(1))
        )
    except DomainError as error:
        say(f"   A forged notification for 1 fen less is refused: {error.code}.")

    technician_id = staff_services.create_staff(
        uow,
        clock,
        admin,
        staff_services.CreateStaff(name="刘师傅", phone="13700137001", roles=("technician",)),
    )
    order_id = repairs.report_repair(
        uow,
        clock,
        owner,
        repairs.ReportRepair(property_id=home, category="水电", description="厨房水龙头漏水"),
    )
    repairs.dispatch_repair(
        uow,
        clock,
        admin,
        repairs.DispatchRepair(
            work_order_id=order_id,
            technician_id=technician_id,
            expected_arrival=clock.now() + timedelta(hours=2),
        ),
    )
    technician = staff_services.staff_actor(uow, technician_id)
    repairs.accept_repair(uow, clock, technician, repairs.AcceptRepair(work_order_id=order_id))
    repairs.complete_repair(
        uow,
        clock,
        technician,
        repairs.CompleteRepair(work_order_id=order_id, photos=("repairs/demo-after.jpg",)),
    )
    repairs.rate_repair(
        uow, clock, owner, repairs.RateRepair(work_order_id=order_id, stars=5, text="很及时")
    )
    say("7. Repair 厨房水龙头漏水: reported, dispatched to 刘师傅, accepted, completed, rated 5★.")
    for line in LOGINS:
        say(line)
    return True


def _last_code(estate: Estate, phone: str) -> str:
    if not isinstance(estate.sms, ConsoleSmsSender):
        raise RuntimeError("the demo reads the login code from the console SMS sender")
    code = estate.sms.last_code(phone)
    if code is None:
        raise RuntimeError(f"no code was sent to {phone}")
    return code
