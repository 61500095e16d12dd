"""In-memory repositories of the identity context."""

from __future__ import annotations

from adapters.persistence.memory.store import InMemoryRepository
from estate_core.identity.model import Resident


class InMemoryResidentRepository(InMemoryRepository[Resident]):
    table = "residents"
    unique = (("phone",),)
    not_found_code = "resident.not_found"

    def find_by_phone(self, phone: str) -> Resident | None:
        found = self._select(lambda r: r.phone == phone)
        return found[0] if found else None
