"""One function composes the core with its adapters: :func:`bootstrap` (SQL) or
:func:`bootstrap_in_memory`. The web service, the worker, the CLI and host systems that embed
estate all start here (docs/embedding.md)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from uuid import UUID

import attrs
from sqlalchemy.engine import Engine

from adapters.moderation.rules import RuleBasedModerator
from adapters.payment.accounts import (
    GatewayFactory,
    StoredMerchantAccounts,
    StoredPaymentGateways,
)
from adapters.payment.wechat_v3 import WECHAT_V3_FACTORIES
from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from adapters.persistence.sqlalchemy import (
    SqlAlchemyUnitOfWork,
    database_url,
    make_engine,
    make_session_factory,
    start_mappers,
    upgrade,
)
from adapters.persistence.sqlalchemy.key_check import check_secret_key
from adapters.persistence.sqlalchemy.migrate import require_current
from adapters.persistence.sqlalchemy.personal_data import FieldCipher, configure_personal_data
from adapters.sms.console import ConsoleSmsSender
from entrypoints.config import Settings
from estate_core.identity.ports import SmsSender
from estate_core.identity.sms import CodeSecret
from estate_core.payments.credentials import AccountMode, Platform
from estate_core.payments.gateway import PaymentGateways
from estate_core.payments.ports import MerchantAccounts
from estate_core.payments.values import PaymentChannel
from estate_core.shared.clock import Clock, SystemClock
from estate_core.unit_of_work import EstateUnitOfWork


@attrs.frozen(kw_only=True)
class Estate:
    """The composed application: a unit of work per tenant plus the ports the use cases take."""

    unit_of_work: Callable[[UUID], EstateUnitOfWork]
    clock: Clock
    sms: SmsSender
    code_secret: CodeSecret
    moderator: RuleBasedModerator
    platform: Platform
    """The platform's own gateway accounts (partner / ISV mode), from configuration."""
    merchant_accounts: MerchantAccounts
    gateways: PaymentGateways
    public_url: str
    """Where gateways reach this service (notification URLs)."""

    def uow(self, tenant_id: UUID) -> EstateUnitOfWork:
        """A unit of work for one tenant (property company); use it in a ``with`` block."""
        return self.unit_of_work(tenant_id)

    def notify_url(self, tenant_id: UUID, channel: PaymentChannel) -> str:
        """The webhook of a tenant's notifications of a channel (``entrypoints.http.notify``)."""
        return f"{self.public_url}/notify/{channel.value}/{tenant_id}"


GATEWAY_FACTORIES: dict[AccountMode, GatewayFactory] = {**WECHAT_V3_FACTORIES}
"""The adapter of each account mode; a mode without one cannot open payments."""


def _payments(
    unit_of_work: Callable[[UUID], EstateUnitOfWork],
    platform: Platform,
    factories: dict[AccountMode, GatewayFactory] | None,
) -> tuple[MerchantAccounts, PaymentGateways]:
    """The merchant accounts and gateways read from the tenants' stored configuration."""
    return (
        StoredMerchantAccounts(unit_of_work, platform),
        StoredPaymentGateways(unit_of_work, platform, factories or GATEWAY_FACTORIES),
    )


def _code_secret(secret_key: str) -> CodeSecret:
    """SMS codes are hashed with a pepper of their own, derived from the one secret key."""
    return CodeSecret(
        pepper=hmac.new(secret_key.encode(), b"estate sms code pepper", hashlib.sha256).digest()
    )


def bootstrap_in_memory(
    *,
    clock: Clock | None = None,
    secret_key: str = "in-memory development key, not secret",
    platform: Platform | None = None,
    public_url: str = "http://127.0.0.1:8000",
    gateway_factories: dict[AccountMode, GatewayFactory] | None = None,
) -> Estate:
    """Everything in process memory: for tests, demos and hosts that bring no database.
    Merchant configuration is kept in the same memory (set it with the staff use case)."""
    store = InMemoryStore()
    the_clock = clock or SystemClock()

    def unit_of_work(tenant_id: UUID) -> EstateUnitOfWork:
        return InMemoryUnitOfWork(store, tenant_id, the_clock)

    the_platform = platform or Platform()
    merchants, gateways = _payments(unit_of_work, the_platform, gateway_factories)
    return Estate(
        unit_of_work=unit_of_work,
        clock=the_clock,
        sms=ConsoleSmsSender(),
        code_secret=_code_secret(secret_key),
        moderator=RuleBasedModerator(),
        platform=the_platform,
        merchant_accounts=merchants,
        gateways=gateways,
        public_url=public_url.rstrip("/"),
    )


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    sms: SmsSender | None = None,
    gateway_factories: dict[AccountMode, GatewayFactory] | None = None,
) -> Estate:
    """The SQL-backed application: the SQLite file in the data directory by default,
    PostgreSQL when ``ESTATE_DATABASE_URL`` says so. The schema must be current
    (:func:`upgrade_database`; else :class:`SchemaNotCurrent`, or :class:`SchemaTooNew` when a
    newer estate migrated it). A secret key other than the one the database was written with
    is refused (:class:`SecretKeyMismatch`). The service's container passes its own engine and
    SMS sender, so the web app and its health checks share one engine."""
    settings = settings or Settings.load()
    cipher = FieldCipher.from_secret_key(settings.secret_key)
    configure_personal_data(cipher)
    start_mappers()
    url = database_url(settings.environment())
    require_current(url)
    engine = engine or make_engine(url)
    check_secret_key(engine, cipher)
    sessions = make_session_factory(engine)
    the_clock = clock or SystemClock()

    def unit_of_work(tenant_id: UUID) -> EstateUnitOfWork:
        return SqlAlchemyUnitOfWork(sessions, tenant_id, the_clock)

    merchants, gateways = _payments(unit_of_work, settings.platform, gateway_factories)
    return Estate(
        unit_of_work=unit_of_work,
        clock=the_clock,
        sms=sms or ConsoleSmsSender(),
        code_secret=_code_secret(settings.secret_key),
        moderator=RuleBasedModerator(),
        platform=settings.platform,
        merchant_accounts=merchants,
        gateways=gateways,
        public_url=settings.public_url,
    )


def upgrade_database(settings: Settings | None = None) -> str:
    """Create or migrate the configured database (`estate db upgrade`); returns its URL.

    The personal-data key is configured first: a migration that encrypts existing phone
    numbers needs it. Then the key is checked against the database's (:func:`check_secret_key`).
    """
    settings = settings or Settings.load()
    cipher = FieldCipher.from_secret_key(settings.secret_key)
    configure_personal_data(cipher)
    url = database_url(settings.environment())
    upgrade(url)
    engine = make_engine(url)
    try:
        check_secret_key(engine, cipher)
    finally:
        engine.dispose()
    return url
