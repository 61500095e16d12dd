"""Merchant management 商家管理 (seed 001 §2.3.5) and products, through the use cases."""

from __future__ import annotations

from uuid import UUID

import pytest
from billing_world import new_community
from commerce_world import World, clerk_of, details

from adapters.persistence.memory import InMemoryStore, InMemoryUnitOfWork
from estate_core.commerce.merchant import MerchantDetails
from estate_core.commerce.services import merchants
from estate_core.shared.access import Actor, Permission, StaffActor
from estate_core.shared.errors import InvalidInput
from estate_core.shared.ids import new_id
from estate_core.shared.money import Money
from estate_core.shared.pagination import PageRequest
from world_builders import code_of


def _register(world: World, actor: Actor, data: MerchantDetails, *communities: UUID) -> UUID:
    cmd = merchants.RegisterMerchant(
        community_ids=frozenset(communities or {world.community_id}), details=data
    )
    return merchants.register_merchant(world.uow, world.clock, actor, cmd)


def _shop_keeper(merchant_id: UUID) -> StaffActor:
    """A clerk who may also keep their merchant's page and products."""
    return StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.MERCHANT_MANAGE, Permission.ORDER_MANAGE}),
        merchant_id=merchant_id,
    )


def test_merchant_names_every_missing_required_field(world: World) -> None:
    empty = MerchantDetails(name=" ", contact="", address="", tags=(" ",))
    with pytest.raises(InvalidInput) as raised:
        _register(world, world.admin, empty)
    assert raised.value.code == "merchant.required_fields"
    assert raised.value.details["fields"] == ["name", "contact", "address", "tags"]


@pytest.mark.parametrize("field", ["name", "contact", "address"])
def test_merchant_requires_each_starred_field(world: World, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        _register(world, world.admin, details(**{field: ""}))
    assert raised.value.details["fields"] == [field]


def test_merchant_needs_at_least_one_tag(world: World) -> None:
    with pytest.raises(InvalidInput) as raised:
        _register(world, world.admin, details(tags=()))
    assert raised.value.details["fields"] == ["tags"]


def test_optional_fields_are_kept_and_tags_cleaned(world: World) -> None:
    data = details(
        tags=(" 餐饮 ", "外卖", "餐饮", ""),
        qq="10001",
        intro="老字号",
        recommendation="招牌牛肉面",
        special_services=("送货上门", " "),
        image="merchants/zhang.jpg",
    )
    merchant_id = _register(world, world.admin, data)
    shown = merchants.get_merchant(world.uow, merchant_id).details
    assert shown.tags == ("餐饮", "外卖")
    assert shown.special_services == ("送货上门",)
    assert (shown.qq, shown.intro, shown.recommendation, shown.image) == (
        "10001",
        "老字号",
        "招牌牛肉面",
        "merchants/zhang.jpg",
    )


def test_merchant_names_may_repeat(world: World) -> None:
    first = _register(world, world.admin, details())
    second = _register(world, world.admin, details())
    assert first != second


def test_qq_number_is_checked(world: World) -> None:
    assert code_of(lambda: _register(world, world.admin, details(qq="12a45"))) == (
        "merchant.invalid_qq"
    )


def test_merchant_serves_at_least_one_community(world: World) -> None:
    cmd = merchants.RegisterMerchant(community_ids=frozenset(), details=details())
    code = code_of(lambda: merchants.register_merchant(world.uow, world.clock, world.admin, cmd))
    assert code == "merchant.no_community"


def test_manager_registers_merchants_only_in_their_scope(world: World) -> None:
    manager = StaffActor(
        staff_id=new_id(),
        permissions=frozenset({Permission.MERCHANT_MANAGE}),
        community_ids=frozenset({world.community_id}),
    )
    _register(world, manager, details())
    code = code_of(lambda: _register(world, manager, details(), world.community_id, new_id()))
    assert code == "permission.out_of_scope"


def test_staff_without_merchant_manage_cannot_register(world: World) -> None:
    code = code_of(lambda: _register(world, clerk_of(world.merchant_id), details()))
    assert code == "permission.missing"


def test_clerk_cannot_register_a_merchant(world: World) -> None:
    code = code_of(lambda: _register(world, _shop_keeper(world.merchant_id), details()))
    assert code == "merchant.other_merchant"


def test_clerk_may_edit_their_own_merchant_but_not_its_communities(world: World) -> None:
    keeper = _shop_keeper(world.merchant_id)
    merchants.update_merchant(
        world.uow,
        keeper,
        merchants.UpdateMerchant(merchant_id=world.merchant_id, details=details(intro="新店")),
    )
    assert merchants.get_merchant(world.uow, world.merchant_id).details.intro == "新店"
    widen = merchants.UpdateMerchant(
        merchant_id=world.merchant_id,
        details=details(),
        community_ids=frozenset({world.community_id, new_id()}),
    )
    assert code_of(lambda: merchants.update_merchant(world.uow, keeper, widen)) == (
        "merchant.other_merchant"
    )
    other = merchants.UpdateMerchant(merchant_id=world.other_merchant_id, details=details())
    assert code_of(lambda: merchants.update_merchant(world.uow, keeper, other)) == (
        "merchant.other_merchant"
    )


def test_admin_changes_the_communities_a_merchant_serves(world: World) -> None:
    elsewhere = new_community(world.uow, "翠苑")
    merchants.update_merchant(
        world.uow,
        world.admin,
        merchants.UpdateMerchant(
            merchant_id=world.merchant_id,
            details=details(),
            community_ids=frozenset({elsewhere}),
        ),
    )
    assert merchants.get_merchant(world.uow, world.merchant_id).community_ids == {elsewhere}


def test_refused_update_changes_nothing(world: World) -> None:
    before = merchants.get_merchant(world.uow, world.merchant_id)
    cmd = merchants.UpdateMerchant(merchant_id=world.merchant_id, details=details(contact=""))
    assert code_of(lambda: merchants.update_merchant(world.uow, world.admin, cmd)) == (
        "merchant.required_fields"
    )
    assert merchants.get_merchant(world.uow, world.merchant_id) == before


def test_residents_browse_the_active_merchants_of_their_community(world: World) -> None:
    merchants.deactivate_merchant(world.uow, world.admin, world.other_merchant_id)
    _register(world, world.admin, details(name="远方商店"), new_community(world.uow, "翠苑"))
    shown = merchants.list_merchants(world.uow, world.community_id, PageRequest())
    assert [m.id for m in shown.items] == [world.merchant_id]
    everyone = merchants.list_merchants(
        world.uow, world.community_id, PageRequest(), include_inactive=True
    )
    assert {m.id for m in everyone.items} == {world.merchant_id, world.other_merchant_id}


def test_reactivated_merchant_is_listed_again(world: World) -> None:
    merchants.deactivate_merchant(world.uow, world.admin, world.other_merchant_id)
    merchants.activate_merchant(world.uow, world.admin, world.other_merchant_id)
    shown = merchants.list_merchants(world.uow, world.community_id, PageRequest())
    assert world.other_merchant_id in {m.id for m in shown.items}


def test_a_merchant_serves_only_this_companys_communities(world: World) -> None:
    assert code_of(lambda: _register(world, world.admin, details(), new_id())) == (
        "community.not_found"
    )
    elsewhere = merchants.UpdateMerchant(
        merchant_id=world.merchant_id, details=details(), community_ids=frozenset({new_id()})
    )
    assert code_of(lambda: merchants.update_merchant(world.uow, world.admin, elsewhere)) == (
        "community.not_found"
    )


def test_another_tenant_never_sees_the_merchant(world: World, store: InMemoryStore) -> None:
    other_tenant = InMemoryUnitOfWork(store, new_id(), world.clock)
    assert code_of(lambda: merchants.get_merchant(other_tenant, world.merchant_id)) == (
        "merchant.not_found"
    )
    assert merchants.list_merchants(other_tenant, world.community_id, PageRequest()).items == []


# products


@pytest.mark.parametrize("price", [Money(0), Money(-100)])
def test_product_price_is_above_zero(world: World, price: Money) -> None:
    cmd = merchants.AddProduct(merchant_id=world.merchant_id, name="豆浆", price=price)
    assert code_of(lambda: merchants.add_product(world.uow, world.admin, cmd)) == (
        "product.invalid_price"
    )


def test_product_needs_a_name(world: World) -> None:
    cmd = merchants.AddProduct(merchant_id=world.merchant_id, name=" ", price=Money(100))
    assert code_of(lambda: merchants.add_product(world.uow, world.admin, cmd)) == (
        "product.name_required"
    )


def test_refused_price_change_leaves_the_product_as_it_was(world: World) -> None:
    cmd = merchants.ChangeProduct(product_id=world.noodles, name="新名字", price=Money(0))
    assert code_of(lambda: merchants.change_product(world.uow, world.admin, cmd)) == (
        "product.invalid_price"
    )
    with world.uow:
        product = world.uow.products.get(world.noodles)
        assert (product.name, product.price) == ("牛肉面", Money.yuan("18"))


def test_clerk_manages_only_their_own_merchants_products(world: World) -> None:
    keeper = _shop_keeper(world.merchant_id)
    merchants.add_product(
        world.uow,
        keeper,
        merchants.AddProduct(merchant_id=world.merchant_id, name="豆浆", price=Money(300)),
    )
    cmd = merchants.AddProduct(merchant_id=world.other_merchant_id, name="梨", price=Money(300))
    assert code_of(lambda: merchants.add_product(world.uow, keeper, cmd)) == (
        "merchant.other_merchant"
    )


def test_products_off_sale_are_hidden_from_residents(world: World) -> None:
    merchants.change_product(
        world.uow,
        world.admin,
        merchants.ChangeProduct(
            product_id=world.dumplings, name="水饺", price=Money(2550), active=False
        ),
    )
    shown = merchants.list_products(world.uow, world.merchant_id, PageRequest())
    assert [(p.name, p.price) for p in shown.items] == [("牛肉面", Money(1800))]
    everything = merchants.list_products(
        world.uow, world.merchant_id, PageRequest(), include_inactive=True
    )
    assert len(everything.items) == 2
