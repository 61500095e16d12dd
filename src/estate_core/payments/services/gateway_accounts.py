"""Staff set, rotate and disable the tenant's receiving accounts (``merchant_account.manage``).

Read models show every field with secrets masked (``****abcd``): a key goes in, never out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.payments.credentials import (
    AccountMode,
    Credentials,
    GatewayFamily,
    Platform,
    receiving_account,
)
from estate_core.payments.gateway_account import AccountStatus, GatewayAccount
from estate_core.payments.ports import PaymentUnitOfWork
from estate_core.payments.values import MerchantAccount
from estate_core.shared.access import Actor, Permission, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import NotFound
from estate_core.shared.ids import new_id


@attrs.frozen(kw_only=True)
class GatewayAccountView:
    id: UUID
    family: GatewayFamily
    mode: AccountMode
    status: AccountStatus
    gateway_url: str
    merchant: MerchantAccount
    fields: Mapping[str, str]
    """Every credential field; secrets masked."""
    has_previous_keys: bool
    updated_at: datetime


def account_view(account: GatewayAccount, platform: Platform) -> GatewayAccountView:
    return GatewayAccountView(
        id=account.id,
        family=account.family,
        mode=account.mode,
        status=account.status,
        gateway_url=account.gateway_url,
        merchant=receiving_account(account.credentials, platform),
        fields=account.credentials.masked(),
        has_previous_keys=account.previous is not None,
        updated_at=account.updated_at,
    )


@attrs.frozen(kw_only=True)
class SetGatewayAccount:
    credentials: Credentials
    gateway_url: str


def set_gateway_account(
    uow: PaymentUnitOfWork, clock: Clock, platform: Platform, actor: Actor, cmd: SetGatewayAccount
) -> GatewayAccountView:
    """Open the family's account, or replace its credentials (keeping the old ones for
    payments in flight)."""
    require_staff(actor, Permission.MERCHANT_ACCOUNT_MANAGE)
    at = clock.now()
    receiving_account(cmd.credentials, platform)  # partner modes need the platform configured
    with uow:
        account = uow.gateway_accounts.find_for(cmd.credentials.mode.family)
        if account is None:
            account = GatewayAccount.open(
                account_id=new_id(),
                tenant_id=uow.tenant_id,
                credentials=cmd.credentials,
                gateway_url=cmd.gateway_url,
                platform=platform,
                at=at,
            )
            uow.gateway_accounts.add(account)
        else:
            account.set(cmd.credentials, cmd.gateway_url, platform, at)
        uow.commit()
        return account_view(account, platform)


def _get(uow: PaymentUnitOfWork, family: GatewayFamily) -> GatewayAccount:
    account = uow.gateway_accounts.find_for(family)
    if account is None:
        raise NotFound("merchant_account.not_found", f"no {family} account is set up")
    return account


def rotate_gateway_account(
    uow: PaymentUnitOfWork, clock: Clock, platform: Platform, actor: Actor, cmd: SetGatewayAccount
) -> GatewayAccountView:
    """New keys for the same merchant (``gateway_url`` may move too)."""
    require_staff(actor, Permission.MERCHANT_ACCOUNT_MANAGE)
    with uow:
        account = _get(uow, cmd.credentials.mode.family)
        account.rotate(cmd.credentials, platform, clock.now(), cmd.gateway_url)
        uow.commit()
        return account_view(account, platform)


def disable_gateway_account(
    uow: PaymentUnitOfWork, clock: Clock, platform: Platform, actor: Actor, family: GatewayFamily
) -> GatewayAccountView:
    require_staff(actor, Permission.MERCHANT_ACCOUNT_MANAGE)
    with uow:
        account = _get(uow, family)
        account.disable(clock.now())
        uow.commit()
        return account_view(account, platform)


def list_gateway_accounts(
    uow: PaymentUnitOfWork, platform: Platform, actor: Actor
) -> list[GatewayAccountView]:
    require_staff(actor, Permission.MERCHANT_ACCOUNT_MANAGE)
    with uow:
        return [account_view(a, platform) for a in uow.gateway_accounts.all()]
