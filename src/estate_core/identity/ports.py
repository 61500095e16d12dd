"""Repositories of the identity context."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from estate_core.identity.model import Resident
from estate_core.shared.unit_of_work import UnitOfWork


class ResidentRepository(Protocol):
    def add(self, resident: Resident) -> None: ...

    def get(self, resident_id: UUID) -> Resident: ...

    def find(self, resident_id: UUID) -> Resident | None: ...

    def find_by_phone(self, phone: str) -> Resident | None: ...


class IdentityUnitOfWork(UnitOfWork, Protocol):
    residents: ResidentRepository
