"""Repositories of the identity context."""

from __future__ import annotations

from adapters.persistence.sqlalchemy.repositories.base import SqlRepository
from adapters.persistence.sqlalchemy.tables.identity import residents
from estate_core.identity.model import Resident


class SqlResidentRepository(SqlRepository[Resident]):
    model = Resident
    table = residents
    not_found_code = "resident.not_found"

    def find_by_phone(self, phone: str) -> Resident | None:
        return self._one(self._select().where(residents.c.phone == phone))

    def find_by_wechat_openid(self, openid: str) -> Resident | None:
        return self._one(self._select().where(residents.c.wechat_openid == openid))

    def find_by_alipay_user_id(self, user_id: str) -> Resident | None:
        return self._one(self._select().where(residents.c.alipay_user_id == user_id))
