"""Helpers of the identity tests: the resident login use cases bound to one tenant, and
hiring staff."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from adapters.persistence.memory import InMemoryUnitOfWork
from adapters.sms.console import ConsoleSmsSender
from estate_core.identity import login_services as login
from estate_core.identity import staff_services
from estate_core.identity.sms import CodeSecret, SmsPurpose
from estate_core.identity.verification import CodeSent
from estate_core.shared.access import ResidentActor, StaffActor
from estate_core.shared.clock import FixedClock

PHONE = "13800000001"
NEW_PHONE = "13800000002"
IP = "203.0.113.7"


class World:
    """The use cases bound to one tenant's unit of work, for short tests."""

    def __init__(
        self, uow: InMemoryUnitOfWork, clock: FixedClock, sms: ConsoleSmsSender, secret: CodeSecret
    ) -> None:
        self.uow, self.clock, self.sms, self.secret = uow, clock, sms, secret

    def request(self, phone: str = PHONE, ip: str = IP) -> CodeSent:
        return login.request_login_code(
            self.uow, self.clock, self.sms, self.secret, login.RequestLoginCode(phone=phone, ip=ip)
        )

    def code(self, phone: str = PHONE, purpose: SmsPurpose = SmsPurpose.LOGIN) -> str:
        code = self.sms.last_code(phone, purpose)
        assert code is not None
        return code

    def login(self, code: str, phone: str = PHONE, **linked: str) -> UUID:
        return login.login_with_code(
            self.uow, self.clock, self.secret, login.LoginWithCode(phone=phone, code=code, **linked)
        )

    def logged_in(self, phone: str = PHONE, **linked: str) -> ResidentActor:
        self.request(phone)
        resident_id = self.login(self.code(phone), phone, **linked)
        self.clock.advance(timedelta(minutes=1))
        return ResidentActor(resident_id=resident_id)


def wrong(code: str) -> str:
    """Another six digits than ``code``."""
    return f"{(int(code) + 1) % 1_000_000:06d}"


def hire(
    uow: InMemoryUnitOfWork,
    clock: FixedClock,
    actor: StaffActor,
    phone: str,
    *roles: str,
    community_ids: frozenset[UUID] | None = None,
    merchant_id: UUID | None = None,
) -> UUID:
    """A staff member created by ``actor`` with ``roles``."""
    return staff_services.create_staff(
        uow,
        clock,
        actor,
        staff_services.CreateStaff(
            name="员工",
            phone=phone,
            roles=roles,
            community_ids=community_ids,
            merchant_id=merchant_id,
        ),
    )
