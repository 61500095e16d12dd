"""Community directory 便民信息: sections checked as a whole, on duty now in local time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagement_builders import Estate, staff
from estate_core.engagement.directory import (
    CommunityDirectory,
    DutyShift,
    Hotline,
    HotlineKind,
    NearbyService,
    OfficeHours,
)
from estate_core.engagement.services.directory import (
    DirectoryContent,
    community_directory,
    edit_directory,
)
from estate_core.identity.model import Community
from estate_core.shared.access import Permission
from estate_core.shared.ids import new_id
from world_builders import add_technician, code_of

HOTLINES = (
    Hotline(kind=HotlineKind.PROPERTY_OFFICE, name="物业服务中心", phone="0571-88886666"),
    Hotline(kind=HotlineKind.POLICE, name="报警", phone="110"),
)
HOURS = (OfficeHours(weekday=0, opens=time(8, 30), closes=time(17, 30)),)
NEARBY = (NearbyService(name="社区卫生服务站", category="医疗", phone="0571-88001122"),)


@given(
    st.integers(0, 6),
    st.times(),
    st.times(),
    st.datetimes(
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2026, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_a_shift_covers_its_hours_and_runs_past_midnight(
    weekday: int, starts: time, ends: time, local: datetime
) -> None:
    """The model: the shift started at the latest ``starts`` on its weekday before ``local``
    and lasts until the next ``ends`` after that start."""
    shift = DutyShift(staff_id=new_id(), weekday=weekday, starts=starts, ends=ends)
    expected = False
    for back in (0, 1):
        day = (local - timedelta(days=back)).date()
        if day.weekday() != weekday:
            continue
        start = datetime.combine(day, starts, tzinfo=UTC)
        end = datetime.combine(day, ends, tzinfo=UTC)
        if end <= start:
            end += timedelta(days=1)
        expected = expected or start <= local < end
    assert shift.covers(local) is expected


@given(st.integers(-3, 9))
def test_weekdays_are_monday_to_sunday(weekday: int) -> None:
    directory = CommunityDirectory(id=new_id(), tenant_id=new_id(), community_id=new_id())
    shift = DutyShift(staff_id=new_id(), weekday=weekday, starts=time(8), ends=time(17))

    def save() -> None:
        directory.replace(
            hotlines=(), office_hours=(), nearby=(), roster=(shift,), staff_id=new_id(), now=NOW
        )

    if 0 <= weekday <= 6:
        save()
        assert directory.roster == (shift,)
    else:
        assert code_of(save) == "directory.invalid_weekday"


NOW = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (
            DirectoryContent(hotlines=(Hotline(kind=HotlineKind.REPAIR, name="报修", phone="x"),)),
            "directory.invalid_phone",
        ),
        (
            DirectoryContent(hotlines=(Hotline(kind=HotlineKind.REPAIR, name=" ", phone="110"),)),
            "directory.invalid_entry",
        ),
        (
            DirectoryContent(
                office_hours=(OfficeHours(weekday=1, opens=time(18), closes=time(9)),)
            ),
            "directory.invalid_hours",
        ),
        (DirectoryContent(office_hours=HOURS + HOURS), "directory.invalid_hours"),
        (
            DirectoryContent(
                roster=(DutyShift(staff_id=new_id(), weekday=0, starts=time(8), ends=time(8)),)
            ),
            "directory.invalid_shift",
        ),
        (DirectoryContent(hotlines=HOTLINES * 26), "directory.too_many_entries"),
    ],
)
def test_a_bad_section_changes_nothing(
    estate: Estate, content: DirectoryContent, code: str
) -> None:
    edit_directory(
        estate.uow,
        estate.clock,
        estate.admin,
        estate.community_id,
        DirectoryContent(hotlines=HOTLINES),
    )
    assert (
        code_of(
            lambda: edit_directory(
                estate.uow, estate.clock, estate.admin, estate.community_id, content
            )
        )
        == code
    )
    view = community_directory(estate.uow, estate.clock, estate.admin, estate.community_id)
    assert view.hotlines == HOTLINES


def test_residents_see_the_technicians_on_duty_now(estate: Estate) -> None:
    """The clock is Monday 10:00 in Shanghai (02:00 UTC): the day shift is on, the night's not."""
    with estate.uow:
        day = add_technician(estate.uow, estate.clock, "王师傅", "13900001111", estate.community_id)
        night = add_technician(
            estate.uow, estate.clock, "李师傅", "13900002222", estate.community_id
        )
        estate.uow.commit()
    roster = (
        DutyShift(staff_id=day.staff_id, weekday=0, starts=time(8), ends=time(20)),
        DutyShift(staff_id=night.staff_id, weekday=0, starts=time(20), ends=time(8)),
    )
    content = DirectoryContent(hotlines=HOTLINES, office_hours=HOURS, nearby=NEARBY, roster=roster)
    edit_directory(estate.uow, estate.clock, estate.admin, estate.community_id, content)
    estate.clock.set(NOW)
    owner = estate.resident()
    estate.home(owner=owner)
    view = community_directory(estate.uow, estate.clock, owner, estate.community_id)
    assert [(t.name, t.phone) for t in view.on_duty] == [("王师傅", "13900001111")]
    assert (view.hotlines, view.office_hours, view.nearby, view.roster) == (
        HOTLINES,
        HOURS,
        NEARBY,
        (),
    )
    estate.clock.set(NOW + timedelta(hours=13))
    view = community_directory(estate.uow, estate.clock, owner, estate.community_id)
    assert [t.name for t in view.on_duty] == ["李师傅"]
    assert (
        community_directory(estate.uow, estate.clock, estate.admin, estate.community_id).roster
        == roster
    )


def test_on_duty_is_in_the_community_s_time_zone(estate: Estate) -> None:
    """02:00 UTC is 10:00 in Shanghai but 08:00 in Urumqi (UTC+6), before its 08:30 shift."""
    west = Community(
        id=new_id(), tenant_id=estate.uow.tenant_id, name="西域", time_zone="Asia/Urumqi"
    )
    with estate.uow:
        estate.uow.communities.add(west)
        tech = add_technician(estate.uow, estate.clock, "王师傅", "13900001111", west.id)
        estate.uow.commit()
    roster = (DutyShift(staff_id=tech.staff_id, weekday=0, starts=time(8, 30), ends=time(20)),)
    edit_directory(estate.uow, estate.clock, estate.admin, west.id, DirectoryContent(roster=roster))
    estate.clock.set(NOW)
    view = community_directory(estate.uow, estate.clock, estate.admin, west.id)
    assert view.local_time.hour == 8
    assert view.on_duty == ()


def test_only_technicians_of_the_community_go_on_the_roster(estate: Estate) -> None:
    with estate.uow:
        elsewhere = add_technician(
            estate.uow, estate.clock, "赵师傅", "13900003333", estate.other_community_id
        )
        estate.uow.commit()
    for staff_id in (elsewhere.staff_id, new_id()):
        roster = (DutyShift(staff_id=staff_id, weekday=0, starts=time(8), ends=time(20)),)
        assert (
            code_of(
                lambda r=roster: edit_directory(
                    estate.uow,
                    estate.clock,
                    estate.admin,
                    estate.community_id,
                    DirectoryContent(roster=r),
                )
            )
            == "directory.unknown_technician"
        )


def test_only_residents_of_the_community_and_staff_in_scope_read_it(estate: Estate) -> None:
    edit_directory(
        estate.uow,
        estate.clock,
        estate.admin,
        estate.community_id,
        DirectoryContent(hotlines=HOTLINES),
    )
    stranger = estate.resident()
    far_owner = estate.resident()
    estate.home(estate.other_community_id, owner=far_owner)
    for outsider in (stranger, far_owner):
        assert (
            code_of(
                lambda o=outsider: community_directory(
                    estate.uow, estate.clock, o, estate.community_id
                )
            )
            == "household.not_member"
        )
    far_staff = staff(
        Permission.WORKORDER_CREATE, communities=frozenset({estate.other_community_id})
    )
    assert (
        code_of(
            lambda: community_directory(estate.uow, estate.clock, far_staff, estate.community_id)
        )
        == "permission.out_of_scope"
    )
    editor = staff(Permission.NOTICE_PUBLISH)
    assert (
        code_of(
            lambda: edit_directory(
                estate.uow, estate.clock, editor, estate.community_id, DirectoryContent()
            )
        )
        == "permission.missing"
    )
    family_home = estate.home(owner=estate.resident())
    family = estate.family(family_home)
    assert (
        community_directory(estate.uow, estate.clock, family, estate.community_id).hotlines
        == HOTLINES
    )
