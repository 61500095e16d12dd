"""Tenants (property companies) and communities: opening, settings, isolation."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.identity import services, staff_services
from estate_core.identity.model import (
    ACCOUNT_TRANSITIONS,
    AccountStatus,
    Resident,
    SurplusPolicy,
    Tenant,
)
from estate_core.identity.staff import Staff
from estate_core.shared.access import Permission, StaffActor
from estate_core.shared.clock import FixedClock
from estate_core.shared.errors import Conflict, InvalidInput, PermissionDenied
from estate_core.shared.ids import new_id
from estate_core.shared.pagination import PageRequest


def _manager(uow: InMemoryUnitOfWork, clock: FixedClock, admin: StaffActor) -> StaffActor:
    staff_id = staff_services.create_staff(
        uow,
        clock,
        admin,
        staff_services.CreateStaff(name="李经理", phone="13700000001", roles=("manager",)),
    )
    return staff_services.staff_actor(uow, staff_id)


def test_opening_a_tenant_makes_its_first_admin_with_every_permission(
    uow: InMemoryUnitOfWork, opened: services.OpenedTenant, company_admin: StaffActor
) -> None:
    assert opened.tenant_id == uow.tenant_id
    assert company_admin.permissions == frozenset(Permission)
    assert company_admin.community_ids is None


def test_a_tenant_row_carries_its_own_id_as_tenant_id(
    uow: InMemoryUnitOfWork, opened: services.OpenedTenant
) -> None:
    with uow:
        tenant = uow.tenants.get(opened.tenant_id)
    assert tenant.tenant_id == tenant.id == opened.tenant_id
    with pytest.raises(ValueError, match="own id"):
        Tenant(id=new_id(), tenant_id=new_id(), name="x", created_at=tenant.created_at)


def test_a_tenant_cannot_be_opened_twice(
    uow: InMemoryUnitOfWork, clock: FixedClock, opened: services.OpenedTenant
) -> None:
    with pytest.raises(Conflict) as raised:
        services.open_tenant(
            uow, clock, services.OpenTenant(name="again", admin_name="x", admin_phone="13911111111")
        )
    assert raised.value.code == "tenant.exists"


def test_surplus_policy_defaults_to_refund(
    uow: InMemoryUnitOfWork, opened: services.OpenedTenant
) -> None:
    assert services.get_tenant(uow).surplus_policy is SurplusPolicy.REFUND


def test_company_admin_can_credit_surplus_to_prepayment_instead(
    uow: InMemoryUnitOfWork, store: InMemoryStore, company_admin: StaffActor
) -> None:
    view = services.change_tenant_settings(
        uow, company_admin, services.ChangeTenantSettings(surplus_policy=SurplusPolicy.PREPAYMENT)
    )
    assert view.surplus_policy is SurplusPolicy.PREPAYMENT
    assert services.get_tenant(uow).surplus_policy is SurplusPolicy.PREPAYMENT
    changed = [m for m in store.outbox if m.event_name == "TenantSettingsChanged"]
    assert changed[0].payload["surplus_policy"] == "prepayment"


def test_changing_company_settings_needs_tenant_manage(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    manager = _manager(uow, clock, company_admin)
    with pytest.raises(PermissionDenied) as raised:
        services.change_tenant_settings(uow, manager, services.ChangeTenantSettings(name="x"))
    assert raised.value.code == "permission.missing"


def test_a_community_is_in_china_time_by_default(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    community_id = services.create_community(
        uow, company_admin, services.CreateCommunity(name="阳光小区", address="成都市")
    )
    with uow:
        community = uow.communities.get(community_id)
    assert community.time_zone == "Asia/Shanghai"
    assert str(community.zone) == "Asia/Shanghai"


def test_a_community_with_an_unknown_time_zone_is_refused(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.create_community(
            uow, company_admin, services.CreateCommunity(name="x", time_zone="Mars/Olympus")
        )
    assert raised.value.code == "community.invalid_time_zone"


def test_community_names_are_unique_within_a_tenant(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    services.create_community(uow, company_admin, services.CreateCommunity(name="阳光小区"))
    with pytest.raises(Conflict) as raised:
        services.create_community(uow, company_admin, services.CreateCommunity(name=" 阳光小区 "))
    assert raised.value.code == "community.duplicate_name"


def test_only_company_wide_staff_create_communities(
    uow: InMemoryUnitOfWork, clock: FixedClock, company_admin: StaffActor
) -> None:
    first = services.create_community(uow, company_admin, services.CreateCommunity(name="一期"))
    scoped = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.COMMUNITY_MANAGE}),
        community_ids=frozenset({first}),
    )
    with pytest.raises(PermissionDenied) as raised:
        services.create_community(uow, scoped, services.CreateCommunity(name="二期"))
    assert raised.value.code == "permission.out_of_scope"


def test_scoped_staff_change_only_communities_in_their_scope(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    mine = services.create_community(uow, company_admin, services.CreateCommunity(name="一期"))
    other = services.create_community(uow, company_admin, services.CreateCommunity(name="二期"))
    scoped = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.COMMUNITY_MANAGE}),
        community_ids=frozenset({mine}),
    )
    services.change_community(
        uow, scoped, services.ChangeCommunity(community_id=mine, name="一期东区", address="东门")
    )
    with pytest.raises(PermissionDenied):
        services.change_community(
            uow, scoped, services.ChangeCommunity(community_id=other, name="y", address="")
        )
    with uow:
        assert uow.communities.get(mine).name == "一期东区"
        assert uow.communities.get(other).name == "二期"


def test_another_tenants_communities_are_invisible(
    store: InMemoryStore, uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    community_id = services.create_community(uow, company_admin, services.CreateCommunity(name="A"))
    other = InMemoryUnitOfWork(store, new_id())
    page = services.list_communities(other, PageRequest())
    assert page.items == []
    with other:
        assert other.communities.find(community_id) is None
        assert other.tenants.find(uow.tenant_id) is None


def test_communities_are_listed_by_name_page_by_page(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    for name in ["C区", "A区", "B区"]:
        services.create_community(uow, company_admin, services.CreateCommunity(name=name))
    first = services.list_communities(uow, PageRequest(limit=2))
    second = services.list_communities(uow, PageRequest(limit=2, after=first.next_cursor))
    assert [c.name for c in first.items] == ["A区", "B区"]
    assert [c.name for c in second.items] == ["C区"]
    assert second.next_cursor is None


def test_listed_communities_are_plain_read_models(
    uow: InMemoryUnitOfWork, company_admin: StaffActor
) -> None:
    community_id: UUID = services.create_community(
        uow, company_admin, services.CreateCommunity(name="A")
    )
    (item,) = services.list_communities(uow, PageRequest()).items
    assert isinstance(item, services.CommunityView)
    assert item.id == community_id


@pytest.mark.parametrize("status", list(AccountStatus))
@pytest.mark.parametrize("action", ["disable", "enable"])
def test_every_account_status_and_action_follows_the_transition_table(
    status: AccountStatus, action: str
) -> None:
    """Residents and staff share one table: active ⇄ disabled, nothing else."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    accounts: list[Resident | Staff] = [
        Resident(id=new_id(), tenant_id=new_id(), phone="13800000001", created_at=at),
        Staff.create(
            id=new_id(),
            tenant_id=new_id(),
            name="x",
            phone="13700000001",
            roles=["technician"],
            community_ids=None,
            merchant_id=None,
            at=at,
        ),
    ]
    for account in accounts:
        account.disabled = status is AccountStatus.DISABLED
        following = ACCOUNT_TRANSITIONS.get((status, action))
        if following is None:
            with pytest.raises(Conflict) as raised:
                _apply(account, action)
            assert raised.value.code.endswith(".invalid_transition")
            assert account.status is status
        else:
            _apply(account, action)
            assert account.status is following


def _apply(account: Resident | Staff, action: str) -> None:
    if action == "disable":
        account.disable("x", by=new_id())
    else:
        account.enable(by=new_id())
