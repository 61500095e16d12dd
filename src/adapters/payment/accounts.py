"""The tenants' receiving merchant accounts, from configuration.

Money goes straight to each property company's own WeChat Pay merchant / Alipay app (seed 000);
a payment records the account it was opened for and settlement refuses any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from estate_core.payments.values import MerchantAccount, PaymentChannel
from estate_core.shared.errors import InvalidInput


class ConfiguredMerchantAccounts:
    """A :class:`~estate_core.payments.ports.MerchantAccounts` over a fixed mapping."""

    def __init__(self, accounts: Mapping[tuple[UUID, PaymentChannel], MerchantAccount]) -> None:
        self._accounts = dict(accounts)

    def for_channel(self, tenant_id: UUID, channel: PaymentChannel) -> MerchantAccount:
        account = self._accounts.get((tenant_id, channel))
        if account is None:
            raise InvalidInput(
                "payment.channel_unavailable", f"{channel.value} is not set up for this company"
            )
        return account

    def add(self, tenant_id: UUID, channel: PaymentChannel, account: MerchantAccount) -> None:
        self._accounts[(tenant_id, channel)] = account
