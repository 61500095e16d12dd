"""Repositories of the billing context and its unit of work."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from estate_core.billing.fee_item import FeeItem
from estate_core.billing.ledger import PrepaymentLedger, PublicFundLedger
from estate_core.billing.meter import MeterReading
from estate_core.billing.model import Bill, BillStatus, PropertyArrears
from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.shared.pagination import Page, PageRequest

if TYPE_CHECKING:
    from estate_core.billing.issuing import BillableProperty, NewBill


class FeeItemRepository(Protocol):
    """Unique per (community, name)."""

    def add(self, item: FeeItem) -> None: ...

    def get(self, fee_item_id: UUID) -> FeeItem: ...

    def find(self, fee_item_id: UUID) -> FeeItem | None: ...

    def find_by_name(self, community_id: UUID, name: str) -> FeeItem | None: ...

    def in_community(self, community_id: UUID) -> list[FeeItem]:
        """Every fee item of the community, active or not, by name."""
        ...


class BillRepository(Protocol):
    """Unique per (property, fee item, period start): the key that makes billing idempotent."""

    def add(self, bill: Bill) -> None: ...

    def get(self, bill_id: UUID) -> Bill: ...

    def find(self, bill_id: UUID) -> Bill | None: ...

    def find_by_key(
        self, property_id: UUID, fee_item_id: UUID, period_start: date
    ) -> Bill | None: ...

    def issued_keys(self, community_id: UUID, period_start: date) -> set[tuple[UUID, UUID]]:
        """(property id, fee item id) of every bill of the community for that period, any status."""
        ...

    def unpaid_for_property(self, property_id: UUID) -> list[Bill]:
        """Every unpaid bill of the property, due or not, oldest due date first."""
        ...

    def due_for_property(self, property_id: UUID, day: date, page: PageRequest) -> Page[Bill]:
        """应缴: unpaid bills payable on ``day`` (:meth:`Bill.is_due_on`), oldest due date first."""
        ...

    def upcoming_for_property(self, property_id: UUID, day: date, page: PageRequest) -> Page[Bill]:
        """未到期: unpaid bills not yet payable on ``day``, earliest period first."""
        ...

    def paid_for_property(self, property_id: UUID, page: PageRequest) -> Page[Bill]:
        """已交: paid (and later refunded) bills, most recently paid first."""
        ...

    def in_community(
        self,
        community_id: UUID,
        page: PageRequest,
        status: BillStatus | None = None,
        period_start: date | None = None,
    ) -> Page[Bill]: ...

    def arrears(self, community_id: UUID, day: date, page: PageRequest) -> Page[PropertyArrears]:
        """Properties with bills overdue on ``day``, largest amount overdue first (欠费清单)."""
        ...


class MeterReadingRepository(Protocol):
    """Unique per (property, fee item, read_on)."""

    def add(self, reading: MeterReading) -> None: ...

    def last_on_or_before(
        self, property_id: UUID, fee_item_id: UUID, day: date
    ) -> MeterReading | None: ...

    def first_after(
        self, property_id: UUID, fee_item_id: UUID, day: date
    ) -> MeterReading | None: ...


class PrepaymentRepository(Protocol):
    """One ledger per property, unique on property_id."""

    def add(self, ledger: PrepaymentLedger) -> None: ...

    def get(self, ledger_id: UUID) -> PrepaymentLedger: ...

    def for_property(self, property_id: UUID, *, lock: bool = False) -> PrepaymentLedger | None:
        """With ``lock``, the ledger is held until the unit of work ends, so payments crediting
        or debiting it at once take turns instead of failing on its version (the SQL adapter
        locks the row; the in-memory store refuses the loser of a race by version)."""
        ...

    def open(self, ledger: PrepaymentLedger) -> PrepaymentLedger:
        """Store ``ledger`` (new, empty) as its property's ledger, or, when a concurrent unit of
        work stored one first, return that one instead, held as by ``for_property(lock=True)``:
        opening a ledger never fails on the one-ledger-per-property key."""
        ...

    def in_credit(self, property_ids: Collection[UUID]) -> list[PrepaymentLedger]:
        """The ledgers of these properties that have a positive balance."""
        ...

    def credited_properties(self, community_id: UUID) -> set[UUID]:
        """The properties of the community whose ledger has a positive balance (a billing run
        reads them once, then loads the ledgers of the few it bills)."""
        ...


class PublicFundRepository(Protocol):
    """One ledger per community, unique on community_id."""

    def add(self, ledger: PublicFundLedger) -> None: ...

    def for_community(self, community_id: UUID) -> PublicFundLedger | None: ...


class BillingRunWriter(Protocol):
    """The bulk path that issues bills: the billing run 出账 and the bill import 账单导入.

    Bills are issued a batch of properties at a time, as plain rows
    (:class:`~estate_core.billing.issuing.NewBill`), and written in bulk outside the unit of
    work's tracking of aggregates, so a run over a community holds one batch in memory whatever
    the community's size. What it writes is part of the unit of work's transaction: kept on
    commit, gone on rollback, and the bills' events reach the outbox in the same transaction.
    """

    def properties(
        self, community_id: UUID, batch_size: int
    ) -> Iterator[Sequence[BillableProperty]]:
        """Every property of the community in address order, ``batch_size`` at a time, as the
        columns a run reads (they are read, never changed, by a run)."""
        ...

    def add_new(self, bills: Sequence[NewBill]) -> list[NewBill]:
        """Store new bills (each with a new id) with their ``BillIssued`` events; returns the
        ones stored.

        A bill whose (property, fee item, period start) exists, issued earlier or by a
        concurrent run, is skipped (by the unique key) and left out of the result, so issuing
        stays idempotent under races. Nothing of the rows is kept once written: a change to a
        stored bill is stored by :meth:`save_settled`, nothing else.
        """
        ...

    def save_settled(self, bills: Sequence[Bill]) -> None:
        """Store that bills :meth:`add_new` stored were paid from prepayment, with events."""
        ...


class BillingUnitOfWork(PropertiesUnitOfWork, Protocol):
    @property
    def fee_items(self) -> FeeItemRepository: ...

    @property
    def bills(self) -> BillRepository: ...

    @property
    def meter_readings(self) -> MeterReadingRepository: ...

    @property
    def prepayments(self) -> PrepaymentRepository: ...

    @property
    def public_funds(self) -> PublicFundRepository: ...

    @property
    def billing_writer(self) -> BillingRunWriter: ...
