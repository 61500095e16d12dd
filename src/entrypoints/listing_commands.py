"""`estate communities`: the ids the import commands ask for, found again at any time.

``estate demo`` prints its community's id once, when it loads; this lists every community of a
property company (the demo company unless ``--tenant`` names another), one per line.
"""

from __future__ import annotations

import argparse
from uuid import UUID

from entrypoints.bootstrap import bootstrap, upgrade_database
from entrypoints.config import Settings
from entrypoints.demo import DEMO_TENANT_ID
from estate_core.identity import services as identity
from estate_core.shared.errors import NotFound
from estate_core.shared.pagination import MAX_PAGE_SIZE, PageRequest


def _communities(args: argparse.Namespace) -> int:
    settings = Settings.load()
    upgrade_database(settings)
    uow = bootstrap(settings).uow(args.tenant)
    with uow:
        tenant = uow.tenants.find(args.tenant)
        if tenant is None:
            raise NotFound("tenant.not_found", f"no property company {args.tenant}")
        print(f"communities of {tenant.name} (tenant {tenant.id}):")
    page = PageRequest(limit=MAX_PAGE_SIZE)
    while True:
        found = identity.list_communities(uow, page)
        for community in found.items:
            print(f"  {community.id}  {community.name}  {community.address}")
        if found.next_cursor is None:
            return 0
        page = PageRequest(limit=MAX_PAGE_SIZE, after=found.next_cursor)


def add_listing_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `estate communities`."""
    command = commands.add_parser(
        "communities", help="list the communities of a property company, with their ids"
    )
    command.add_argument(
        "--tenant",
        type=UUID,
        default=DEMO_TENANT_ID,
        help="property company id (default: the demo company)",
    )
    command.set_defaults(run=_communities)
