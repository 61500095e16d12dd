"""Community directory 便民信息 (seed 001 §2.2.2 电话报修, seed 002 周边信息).

Per community: service hotlines (the property office, the repair line, security, police and
other institutions), the management office's hours, nearby services, and a duty roster of the
technicians 维修人员, so a resident choosing "report by phone" sees whom to call now (seed 001:
软件中会显示该项目部维修人员的联系电话). Staff edit it, section by section; residents of the
community read it.

It is reference data with no lifecycle: the directory has no states, only its rules (below),
each checked whenever a section is replaced. The roster's times are local to the community:
a shift on Monday 20:00–08:00 runs past midnight into Tuesday morning.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from uuid import UUID

import attrs

from estate_core.shared.errors import InvalidInput
from estate_core.shared.events import Aggregate

MAX_ENTRIES = 50
MAX_SHIFTS = 200
NAME_MAX = 50
TEXT_MAX = 200
PHONE = re.compile(r"^[0-9][0-9\-]{2,19}$")
"""A service number: 110, 12345, 0571-88886666, 400-800-1234 or a mobile number."""


class HotlineKind(enum.StrEnum):
    PROPERTY_OFFICE = "property_office"
    REPAIR = "repair"
    SECURITY = "security"
    POLICE = "police"
    FIRE = "fire"
    MEDICAL = "medical"
    UTILITY = "utility"
    OTHER = "other"


@attrs.frozen(kw_only=True)
class Hotline:
    """A service number 服务电话: the property office, 报修, 保安, 110, 水电燃气 …"""

    kind: HotlineKind
    name: str
    phone: str


@attrs.frozen(kw_only=True)
class OfficeHours:
    """The management office 物业服务中心 is open on ``weekday`` (0 Monday) from ``opens``
    to ``closes``, local time."""

    weekday: int
    opens: time
    closes: time


@attrs.frozen(kw_only=True)
class NearbyService:
    """A service near the community 周边信息: a clinic, a supermarket, a locksmith …"""

    name: str
    category: str
    phone: str = ""
    address: str = ""


@attrs.frozen(kw_only=True)
class DutyShift:
    """A technician on duty 值班 on ``weekday`` from ``starts``; a shift whose ``ends`` is not
    after ``starts`` ends on the next day."""

    staff_id: UUID
    weekday: int
    starts: time
    ends: time

    @property
    def overnight(self) -> bool:
        return self.ends <= self.starts

    def covers(self, local: datetime) -> bool:
        """Whether the shift is on at ``local``, an instant in the community's time zone (its
        wall time and weekday are what the roster means)."""
        now, day = local.time(), local.weekday()
        if not self.overnight:
            return day == self.weekday and self.starts <= now < self.ends
        started_today = day == self.weekday and now >= self.starts
        started_yesterday = (local - timedelta(days=1)).weekday() == self.weekday
        return started_today or (started_yesterday and now < self.ends)


def _name(value: str, limit: int, what: str) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise InvalidInput("directory.invalid_entry", f"{what} has 1 to {limit} characters")
    return value


def _optional_text(value: str, limit: int, what: str) -> str:
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput("directory.invalid_entry", f"{what} has at most {limit} characters")
    return value


def _phone(value: str, *, optional: bool = False) -> str:
    value = value.strip()
    if optional and not value:
        return value
    if not PHONE.fullmatch(value):
        raise InvalidInput("directory.invalid_phone", f"{value!r} is not a phone number")
    return value


def _weekday(value: int) -> int:
    if not 0 <= value <= 6:
        raise InvalidInput("directory.invalid_weekday", "a weekday is 0 (Monday) to 6 (Sunday)")
    return value


def _count(items: Sequence[object], limit: int) -> None:
    if len(items) > limit:
        raise InvalidInput("directory.too_many_entries", f"at most {limit} entries in a section")


def check_hotlines(hotlines: Sequence[Hotline]) -> tuple[Hotline, ...]:
    _count(hotlines, MAX_ENTRIES)
    return tuple(
        Hotline(
            kind=HotlineKind(h.kind), name=_name(h.name, NAME_MAX, "a name"), phone=_phone(h.phone)
        )
        for h in hotlines
    )


def check_office_hours(hours: Sequence[OfficeHours]) -> tuple[OfficeHours, ...]:
    """One opening per weekday at most, each closing after it opens (no overnight office)."""
    _count(hours, 7)
    seen: set[int] = set()
    for entry in hours:
        if _weekday(entry.weekday) in seen:
            raise InvalidInput("directory.invalid_hours", "one opening per weekday")
        seen.add(entry.weekday)
        if not entry.opens < entry.closes:
            raise InvalidInput("directory.invalid_hours", "the office closes after it opens")
    return tuple(sorted(hours, key=lambda h: h.weekday))


def check_nearby(services: Sequence[NearbyService]) -> tuple[NearbyService, ...]:
    _count(services, MAX_ENTRIES)
    return tuple(
        NearbyService(
            name=_name(s.name, NAME_MAX, "a name"),
            category=_name(s.category, NAME_MAX, "a category"),
            phone=_phone(s.phone, optional=True),
            address=_optional_text(s.address, TEXT_MAX, "an address"),
        )
        for s in services
    )


def check_roster(shifts: Sequence[DutyShift]) -> tuple[DutyShift, ...]:
    """Shifts with a weekday and a length (``starts == ends`` would be 24 hours: refused, so a
    typo never puts someone on duty all day)."""
    _count(shifts, MAX_SHIFTS)
    for shift in shifts:
        _weekday(shift.weekday)
        if shift.starts == shift.ends:
            raise InvalidInput("directory.invalid_shift", "a shift ends at another time")
    return tuple(sorted(shifts, key=lambda s: (s.weekday, s.starts, str(s.staff_id))))


@attrs.define(slots=False, eq=False, kw_only=True)
class CommunityDirectory(Aggregate):
    """The directory of one community (unique per community)."""

    id: UUID
    tenant_id: UUID
    community_id: UUID
    hotlines: tuple[Hotline, ...] = ()
    office_hours: tuple[OfficeHours, ...] = ()
    nearby: tuple[NearbyService, ...] = ()
    roster: tuple[DutyShift, ...] = ()
    updated_by: UUID | None = None
    updated_at: datetime | None = None

    def replace(
        self,
        *,
        hotlines: Sequence[Hotline],
        office_hours: Sequence[OfficeHours],
        nearby: Sequence[NearbyService],
        roster: Sequence[DutyShift],
        staff_id: UUID,
        now: datetime,
    ) -> None:
        """Staff save the directory page: every section checked, then all replaced at once."""
        checked = (
            check_hotlines(hotlines),
            check_office_hours(office_hours),
            check_nearby(nearby),
            check_roster(roster),
        )
        self.hotlines, self.office_hours, self.nearby, self.roster = checked
        self.updated_by, self.updated_at = staff_id, now

    def on_duty(self, local: datetime) -> list[UUID]:
        """The technicians on duty at ``local`` (in the community's zone), in roster order."""
        found: list[UUID] = []
        for shift in self.roster:
            if shift.covers(local) and shift.staff_id not in found:
                found.append(shift.staff_id)
        return found
