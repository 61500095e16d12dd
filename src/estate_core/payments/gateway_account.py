"""GatewayAccount 收款账户: a tenant's receiving account at one gateway family.

The credentials are data, not code (issue 8): staff set them, rotate their keys and disable
them. Rotating keeps the credentials it replaces as ``previous``, so a notification for a
payment opened under the old keys still verifies while those payments are in flight; setting
new credentials keeps the old ones the same way (a payment records the merchant it was opened
for, and settlement refuses any other, so keeping them widens nothing).
"""

from __future__ import annotations

import enum
from datetime import datetime
from urllib.parse import urlsplit
from uuid import UUID

import attrs

from estate_core.payments import events
from estate_core.payments.credentials import (
    AccountMode,
    Credentials,
    GatewayFamily,
    Platform,
    receiving_account,
)
from estate_core.shared.errors import Conflict, InvalidInput
from estate_core.shared.events import Aggregate

URL_MAX = 200


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


def check_gateway_url(url: str) -> str:
    """Production, the gateway's own sandbox and our emulator differ only by this URL."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > URL_MAX:
        raise InvalidInput("merchant_account.invalid_url", "the gateway URL is an http(s) URL")
    return url.strip().rstrip("/")


def _identity(credentials: Credentials, platform: Platform) -> tuple[object, ...]:
    return (credentials.mode, receiving_account(credentials, platform))


@attrs.define(slots=False, eq=False, kw_only=True)
class GatewayAccount(Aggregate):
    id: UUID
    tenant_id: UUID
    family: GatewayFamily
    credentials: Credentials
    gateway_url: str
    status: AccountStatus = AccountStatus.ACTIVE
    previous: Credentials | None = None
    updated_at: datetime

    @classmethod
    def open(
        cls,
        *,
        account_id: UUID,
        tenant_id: UUID,
        credentials: Credentials,
        gateway_url: str,
        platform: Platform,
        at: datetime,
    ) -> GatewayAccount:
        account = cls(
            id=account_id,
            tenant_id=tenant_id,
            family=credentials.mode.family,
            credentials=credentials,
            gateway_url=check_gateway_url(gateway_url),
            updated_at=at,
        )
        account._announce_set(platform)
        return account

    @property
    def mode(self) -> AccountMode:
        return self.credentials.mode

    @property
    def generations(self) -> tuple[Credentials, ...]:
        """The credentials a notification may be signed or encrypted with, newest first."""
        return (self.credentials,) if self.previous is None else (self.credentials, self.previous)

    def set(
        self, credentials: Credentials, gateway_url: str, platform: Platform, at: datetime
    ) -> None:
        """New credentials (another mode or merchant, or the same): active again."""
        if credentials.mode.family is not self.family:
            raise InvalidInput("merchant_account.wrong_family", "that is another gateway's account")
        if credentials != self.credentials:
            self.previous = self.credentials
        self.credentials = credentials
        self.gateway_url = check_gateway_url(gateway_url)
        self.status = AccountStatus.ACTIVE
        self.updated_at = at
        self._announce_set(platform)

    def rotate(
        self,
        credentials: Credentials,
        platform: Platform,
        at: datetime,
        gateway_url: str | None = None,
    ) -> None:
        """New keys for the same merchant; the keys they replace keep verifying."""
        if self.status is not AccountStatus.ACTIVE:
            raise Conflict("merchant_account.disabled", "set the account again to use it")
        if _identity(credentials, platform) != _identity(self.credentials, platform):
            raise InvalidInput(
                "merchant_account.not_a_rotation",
                "a rotation keeps the mode and the merchant: set the account instead",
            )
        if credentials == self.credentials:
            raise InvalidInput("merchant_account.same_keys", "these are the current keys")
        self.previous = self.credentials
        self.credentials = credentials
        if gateway_url:
            self.gateway_url = check_gateway_url(gateway_url)
        self.updated_at = at
        self.record(
            events.GatewayAccountRotated(account_id=self.id, family=self.family, mode=self.mode)
        )

    def disable(self, at: datetime) -> None:
        """No new payment opens on this account; set it again to enable it."""
        if self.status is AccountStatus.DISABLED:
            return
        self.status = AccountStatus.DISABLED
        self.updated_at = at
        self.record(events.GatewayAccountDisabled(account_id=self.id, family=self.family))

    def _announce_set(self, platform: Platform) -> None:
        merchant = receiving_account(self.credentials, platform)
        self.record(
            events.GatewayAccountSet(
                account_id=self.id,
                family=self.family,
                mode=self.mode,
                app_id=merchant.app_id,
                merchant_id=merchant.merchant_id,
                sub_merchant_id=merchant.sub_merchant_id,
            )
        )
