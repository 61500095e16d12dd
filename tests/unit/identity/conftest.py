"""Fixtures of the identity tests: an opened property company, the console SMS sender."""

from __future__ import annotations

import pytest
from identity_world import World

from adapters.persistence.memory import InMemoryUnitOfWork
from adapters.sms.console import ConsoleSmsSender
from estate_core.identity import services, staff_services
from estate_core.identity.sms import CodeSecret
from estate_core.shared.access import StaffActor
from estate_core.shared.clock import FixedClock

ADMIN_PHONE = "13900000000"


@pytest.fixture
def sms() -> ConsoleSmsSender:
    return ConsoleSmsSender()


@pytest.fixture
def secret() -> CodeSecret:
    return CodeSecret(b"test pepper, 32 bytes long......")


@pytest.fixture
def opened(uow: InMemoryUnitOfWork, clock: FixedClock) -> services.OpenedTenant:
    return services.open_tenant(
        uow,
        clock,
        services.OpenTenant(name="中城家物业", admin_name="王经理", admin_phone=ADMIN_PHONE),
    )


@pytest.fixture
def company_admin(uow: InMemoryUnitOfWork, opened: services.OpenedTenant) -> StaffActor:
    """The tenant's first administrator, as built from their stored account."""
    return staff_services.staff_actor(uow, opened.admin_staff_id)


@pytest.fixture
def world(
    uow: InMemoryUnitOfWork, clock: FixedClock, sms: ConsoleSmsSender, secret: CodeSecret
) -> World:
    return World(uow, clock, sms, secret)
