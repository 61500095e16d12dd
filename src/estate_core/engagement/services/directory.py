"""Community directory use cases (便民信息): staff edit, residents of the community read.

The duty roster is read in the community's own time zone: "on duty now" is the shifts covering
the local wall time of 小区, wherever the server runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import attrs

from estate_core.community.services.common import active_resident, require_communities
from estate_core.engagement.directory import (
    CommunityDirectory,
    DutyShift,
    Hotline,
    NearbyService,
    OfficeHours,
    check_roster,
)
from estate_core.engagement.ports import EngagementUnitOfWork
from estate_core.properties.model import NotAMember
from estate_core.properties.services import is_bound_in_community
from estate_core.shared.access import Actor, Permission, ResidentActor, StaffActor, require_staff
from estate_core.shared.clock import Clock
from estate_core.shared.errors import InvalidInput, PermissionDenied
from estate_core.shared.ids import new_id


@attrs.frozen(kw_only=True)
class DirectoryContent:
    """The whole directory page as staff save it."""

    hotlines: Sequence[Hotline] = ()
    office_hours: Sequence[OfficeHours] = ()
    nearby: Sequence[NearbyService] = ()
    roster: Sequence[DutyShift] = ()


@attrs.frozen(kw_only=True)
class Technician:
    """A technician on duty, with the number to call (seed 001: 选择维修人员电话)."""

    staff_id: UUID
    name: str
    phone: str


@attrs.frozen(kw_only=True)
class DirectoryView:
    community_id: UUID
    local_time: datetime
    hotlines: tuple[Hotline, ...]
    office_hours: tuple[OfficeHours, ...]
    nearby: tuple[NearbyService, ...]
    on_duty: tuple[Technician, ...]
    roster: tuple[DutyShift, ...] = ()
    """The whole roster, for staff only."""


def edit_directory(
    uow: EngagementUnitOfWork,
    clock: Clock,
    actor: Actor,
    community_id: UUID,
    content: DirectoryContent,
) -> None:
    """Replace the community's directory; each technician on the roster must be a working
    staff member serving that community (``directory.unknown_technician``)."""
    staff = require_staff(actor, Permission.DIRECTORY_MANAGE, community_id)
    with uow:
        require_communities(uow, frozenset({community_id}))
        for staff_id in {shift.staff_id for shift in check_roster(content.roster)}:
            member = uow.staff.find(staff_id)
            if (
                member is None
                or member.disabled
                or (member.community_ids is not None and community_id not in member.community_ids)
            ):
                raise InvalidInput(
                    "directory.unknown_technician",
                    "a technician on the roster is no working staff member of this community",
                    staff_id=str(staff_id),
                )
        directory = uow.directories.for_community(community_id)
        if directory is None:
            directory = CommunityDirectory(
                id=new_id(), tenant_id=uow.tenant_id, community_id=community_id
            )
            uow.directories.add(directory)
        directory.replace(
            hotlines=content.hotlines,
            office_hours=content.office_hours,
            nearby=content.nearby,
            roster=content.roster,
            staff_id=staff.staff_id,
            now=clock.now(),
        )
        uow.commit()


def community_directory(
    uow: EngagementUnitOfWork, clock: Clock, actor: Actor, community_id: UUID
) -> DirectoryView:
    """The directory as a resident bound in the community, or staff serving it, sees it now."""
    with uow:
        community = uow.communities.get(community_id)
        local = clock.now().astimezone(community.zone)
        if isinstance(actor, ResidentActor):
            active_resident(uow, actor.resident_id)
            if not is_bound_in_community(uow, actor.resident_id, community_id, local.date()):
                raise NotAMember("only residents of this community read its directory")
        elif not isinstance(actor, StaffActor) or not actor.sees(community_id):
            raise PermissionDenied(
                "permission.out_of_scope", "that community is outside your scope"
            )
        directory = uow.directories.for_community(community_id) or CommunityDirectory(
            id=new_id(), tenant_id=uow.tenant_id, community_id=community_id
        )
        on_duty = []
        for staff_id in directory.on_duty(local):
            member = uow.staff.find(staff_id)
            if member is not None and not member.disabled:
                on_duty.append(Technician(staff_id=staff_id, name=member.name, phone=member.phone))
        return DirectoryView(
            community_id=community_id,
            local_time=local,
            hotlines=directory.hotlines,
            office_hours=directory.office_hours,
            nearby=directory.nearby,
            on_duty=tuple(on_duty),
            roster=directory.roster if isinstance(actor, StaffActor) else (),
        )
