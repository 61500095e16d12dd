"""A small estate on a SQL database for the community use-case tests: one tenant, two
communities, residents and homes made through the identity and properties use cases' data."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from adapters.persistence.sqlalchemy import SqlAlchemyUnitOfWork
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.ids import new_id
from world_builders import EstateBase

ADMIN = StaffActor(staff_id=new_id(), permissions=frozenset(Permission))


class SqlEstate(EstateBase):
    """Communities, residents and homes of one tenant, each made in its own unit of work."""

    def __init__(
        self, make_uow: Callable[[UUID], SqlAlchemyUnitOfWork], tenant_id: UUID, clock: FixedClock
    ) -> None:
        self.make_uow, self.tenant_id = make_uow, tenant_id
        super().__init__(make_uow(tenant_id), clock, ADMIN)
