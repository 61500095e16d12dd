"""Ports of the service context: its repositories and its unit of work."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol
from uuid import UUID

from estate_core.properties.ports import PropertiesUnitOfWork
from estate_core.service.complaint import Complaint, ComplaintStatus
from estate_core.service.workorder import WorkOrder
from estate_core.service.workorder_states import WorkOrderStatus
from estate_core.shared.pagination import Page, PageRequest


class WorkOrderRepository(Protocol):
    def add(self, order: WorkOrder) -> None: ...

    def get(self, work_order_id: UUID) -> WorkOrder: ...

    def find(self, work_order_id: UUID) -> WorkOrder | None: ...

    def of_resident(self, resident_id: UUID, page: PageRequest) -> Page[WorkOrder]:
        """The resident's orders (我的报修), newest first."""
        ...

    def in_community(
        self, community_id: UUID, status: WorkOrderStatus | None, page: PageRequest
    ) -> Page[WorkOrder]:
        """The community's orders, optionally of one status, newest first."""
        ...

    def assigned_to(
        self, technician_id: UUID, statuses: Collection[WorkOrderStatus], page: PageRequest
    ) -> Page[WorkOrder]:
        """A technician's orders in ``statuses``, soonest expected arrival first."""
        ...

    def completed_before(self, cutoff: datetime) -> list[WorkOrder]:
        """Orders still ``completed`` (unrated) whose completion is at or before ``cutoff``."""
        ...

    def reported_between(
        self, community_id: UUID, since: datetime, until: datetime
    ) -> list[WorkOrder]:
        """The community's orders created in [since, until), for statistics."""
        ...


class ComplaintRepository(Protocol):
    def add(self, complaint: Complaint) -> None: ...

    def get(self, complaint_id: UUID) -> Complaint: ...

    def find(self, complaint_id: UUID) -> Complaint | None: ...

    def of_resident(self, resident_id: UUID, page: PageRequest) -> Page[Complaint]:
        """The resident's complaints (投诉记录), newest first."""
        ...

    def in_community(
        self, community_id: UUID, status: ComplaintStatus | None, page: PageRequest
    ) -> Page[Complaint]:
        """The community's complaints, optionally of one status, newest first."""
        ...

    def replied_before(self, cutoff: datetime) -> list[Complaint]:
        """Complaints still ``replied`` whose (latest) reply is at or before ``cutoff``."""
        ...

    def submitted_between(
        self, community_id: UUID, since: datetime, until: datetime
    ) -> list[Complaint]:
        """The community's complaints created in [since, until), for statistics."""
        ...


class ServiceUnitOfWork(PropertiesUnitOfWork, Protocol):
    """Identity (residents, staff) and properties (households), plus the service repositories."""

    @property
    def work_orders(self) -> WorkOrderRepository: ...

    @property
    def complaints(self) -> ComplaintRepository: ...
