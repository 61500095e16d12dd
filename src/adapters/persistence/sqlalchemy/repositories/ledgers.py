"""Repositories of the two ledgers of billing: prepayment 预缴 per property, public funds
公共收支 per community."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from adapters.persistence.sqlalchemy.errors import database_errors
from adapters.persistence.sqlalchemy.repositories.base import SqlRepository
from adapters.persistence.sqlalchemy.tables.billing import prepayment_ledgers, public_fund_ledgers
from estate_core.billing.ledger import PrepaymentLedger, PublicFundLedger
from estate_core.shared.money import Money


class SqlPrepaymentRepository(SqlRepository[PrepaymentLedger]):
    model = PrepaymentLedger
    table = prepayment_ledgers
    not_found_code = "prepayment.not_found"

    def for_property(self, property_id: UUID, *, lock: bool = False) -> PrepaymentLedger | None:
        """With ``lock``: ``SELECT … FOR NO KEY UPDATE`` (adding entries elsewhere is not
        blocked), so concurrent credits take turns; SQLite has one writer at a time anyway."""
        statement = self._select().where(prepayment_ledgers.c.property_id == property_id)
        if lock:
            statement = statement.with_for_update(
                key_share=True, of=prepayment_ledgers
            ).execution_options(populate_existing=True)
        return self._one(statement)

    def open(self, ledger: PrepaymentLedger) -> PrepaymentLedger:
        """``INSERT … ON CONFLICT DO NOTHING`` then the locked read: on PostgreSQL an insert
        that meets another transaction's uncommitted ledger waits for it, then inserts nothing
        and reads (and locks) that ledger once committed."""
        if ledger.tenant_id != self._tenant_id:
            raise ValueError("aggregate belongs to another tenant than this unit of work")
        if ledger.entries:
            raise ValueError("a ledger is opened empty")
        dialect = postgresql if self._session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(prepayment_ledgers)
            .values(
                tenant_id=ledger.tenant_id,
                id=ledger.id,
                community_id=ledger.community_id,
                property_id=ledger.property_id,
                balance=Money.zero(),
                version=1,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "property_id"])
        )
        with database_errors():
            self._session.flush()
            self._session.execute(statement)
        opened = self.for_property(ledger.property_id, lock=True)
        if opened is None:
            raise LookupError("the ledger just opened is not there")
        return opened

    def in_credit(self, property_ids: Collection[UUID]) -> list[PrepaymentLedger]:
        """On the stored balance (kept in step with the entries) and the unique property key."""
        wanted = sorted(set(property_ids))
        if not wanted:
            return []
        c = prepayment_ledgers.c
        return self._all(
            self._select()
            .where(c.property_id.in_(wanted), c.balance > Money.zero())
            .order_by(c.property_id)
        )

    def credited_properties(self, community_id: UUID) -> set[UUID]:
        """Ids only, one query for a whole billing run (ledgers are far fewer than bills)."""
        c = prepayment_ledgers.c
        statement = sa.select(c.property_id).where(
            c.tenant_id == self._tenant_id,
            c.community_id == community_id,
            c.balance > Money.zero(),
        )
        with database_errors():
            self._session.flush()
            return set(self._session.scalars(statement))


class SqlPublicFundRepository(SqlRepository[PublicFundLedger]):
    model = PublicFundLedger
    table = public_fund_ledgers
    not_found_code = "fund.not_found"

    def for_community(self, community_id: UUID) -> PublicFundLedger | None:
        return self._one(self._select().where(public_fund_ledgers.c.community_id == community_id))
