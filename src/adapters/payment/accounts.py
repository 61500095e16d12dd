"""The tenants' receiving merchant accounts and their gateways, from merchant configuration.

Money goes straight to each property company's own WeChat Pay merchant / Alipay app (seed 000);
a payment records the account it was opened for and settlement refuses any other.

- :class:`StoredMerchantAccounts` and :class:`StoredPaymentGateways` read the tenant's
  ``GatewayAccount`` (set by staff, stored encrypted) through a unit of work of their own, and
  build the adapter of its mode from ``factories`` (one per :class:`AccountMode`; the WeChat
  Pay v3 ones are in ``wechat_v3``).
- :class:`ConfiguredMerchantAccounts` and :class:`ConfiguredPaymentGateways` hold fixed
  mappings: for embedding without stored configuration, and for unit tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from uuid import UUID

import attrs

from estate_core.payments.credentials import (
    AccountMode,
    Credentials,
    GatewayFamily,
    Platform,
    receiving_account,
)
from estate_core.payments.gateway import PaymentGateway
from estate_core.payments.gateway_account import AccountStatus
from estate_core.payments.ports import PaymentUnitOfWork
from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.shared.errors import InvalidInput


def _unavailable(
    channel: PaymentChannel, why: str = "is not set up for this company"
) -> InvalidInput:
    return InvalidInput("payment.channel_unavailable", f"{channel.value} {why}")


@attrs.frozen(kw_only=True)
class GatewaySetup:
    """What an adapter factory gets: the tenant's credentials, newest generation first."""

    tenant_id: UUID
    generations: tuple[Credentials, ...]
    gateway_url: str
    platform: Platform

    @property
    def current(self) -> Credentials:
        return self.generations[0]


GatewayFactory = Callable[[GatewaySetup], PaymentGateway]

CACHED_GATEWAYS = 1024
"""Adapters kept built, by their exact setup: loading an RSA key checks it, which costs tens
of milliseconds; new or rotated credentials are another setup, so they are never stale."""


class _StoredAccounts:
    def __init__(
        self, unit_of_work: Callable[[UUID], PaymentUnitOfWork], platform: Platform
    ) -> None:
        self._unit_of_work = unit_of_work
        self._platform = platform

    def _active(self, tenant_id: UUID, channel: PaymentChannel) -> GatewaySetup:
        """The account's values, read inside the transaction (ORM objects expire after it)."""
        if not channel.is_online:
            raise _unavailable(channel, "has no gateway")
        with self._unit_of_work(tenant_id) as uow:
            account = uow.gateway_accounts.find_for(GatewayFamily.of(channel))
            if account is None or account.status is not AccountStatus.ACTIVE:
                raise _unavailable(channel)
            return GatewaySetup(
                tenant_id=tenant_id,
                generations=account.generations,
                gateway_url=account.gateway_url,
                platform=self._platform,
            )


class StoredMerchantAccounts(_StoredAccounts):
    """:class:`~estate_core.payments.ports.MerchantAccounts` over the stored configuration."""

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        return receiving_account(self._active(tenant_id, channel).current, self._platform)


class StoredPaymentGateways(_StoredAccounts):
    """:class:`~estate_core.payments.gateway.PaymentGateways` over the stored configuration."""

    def __init__(
        self,
        unit_of_work: Callable[[UUID], PaymentUnitOfWork],
        platform: Platform,
        factories: Mapping[AccountMode, GatewayFactory],
    ) -> None:
        super().__init__(unit_of_work, platform)
        self._factories = dict(factories)
        self._built: dict[GatewaySetup, PaymentGateway] = {}
        self._lock = threading.Lock()

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> PaymentGateway:
        setup = self._active(tenant_id, channel)
        factory = self._factories.get(setup.current.mode)
        if factory is None:
            raise _unavailable(channel, f"needs the {setup.current.mode} adapter, not installed")
        with self._lock:
            built = self._built.get(setup)
        if built is None:
            built = factory(setup)
            with self._lock:
                if len(self._built) >= CACHED_GATEWAYS:
                    self._built.clear()
                self._built[setup] = built
        return built


class ConfiguredMerchantAccounts:
    """A :class:`~estate_core.payments.ports.MerchantAccounts` over a fixed mapping."""

    def __init__(self, accounts: Mapping[tuple[UUID, PaymentChannel], MerchantAccount]) -> None:
        self._accounts = dict(accounts)

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        account = self._accounts.get((tenant_id, channel))
        if account is None:
            raise _unavailable(channel)
        return account

    def add(self, tenant_id: UUID, channel: PaymentChannel, account: MerchantAccount) -> None:
        self._accounts[(tenant_id, channel)] = account


class ConfiguredPaymentGateways:
    """A :class:`~estate_core.payments.gateway.PaymentGateways` over a fixed mapping."""

    def __init__(self, gateways: Mapping[tuple[UUID, PaymentChannel], PaymentGateway]) -> None:
        self._gateways = dict(gateways)

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> PaymentGateway:
        gateway = self._gateways.get((tenant_id, channel))
        if gateway is None:
            raise _unavailable(channel)
        return gateway

    def add(self, tenant_id: UUID, channel: PaymentChannel, gateway: PaymentGateway) -> None:
        self._gateways[(tenant_id, channel)] = gateway
