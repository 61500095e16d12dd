"""Mapping of the properties context: Property (with its owner of record) and Household.

``Property.owner_of_record`` (a frozen ``OwnerOfRecord`` or ``None``) is a composite over
``owner_name`` / ``owner_phone_ciphertext`` (the phone encrypted at rest).
``Household.members`` (a list of frozen ``Member``) is an association proxy over
:class:`MemberRow`, one ``household_members`` row per member.
"""

from __future__ import annotations

from sqlalchemy.orm import registry, relationship

from adapters.persistence.sqlalchemy.mapping.support import (
    VERSION_ATTRIBUTE,
    attrs_composite,
    register_child_rows,
    value_list,
)
from adapters.persistence.sqlalchemy.tables.properties import (
    household_members,
    households,
    properties,
)
from estate_core.properties.model import Household, Member, OwnerOfRecord, Property


class MemberRow:
    """A ``household_members`` row; the domain only ever sees the frozen ``Member`` it holds."""

    value: Member
    household: Household

    def __init__(self, value: Member) -> None:
        self.value = value


def map_properties(mappers: registry) -> None:
    mappers.map_imperatively(
        Property,
        properties,
        version_id_col=properties.c.version,
        properties={
            VERSION_ATTRIBUTE: properties.c.version,
            "_owner_name": properties.c.owner_name,
            "_owner_phone": properties.c.owner_phone_ciphertext,
            "owner_of_record": attrs_composite(
                OwnerOfRecord,
                properties.c.owner_name,
                properties.c.owner_phone_ciphertext,
                nullable=True,
            ),
        },
    )
    mappers.map_imperatively(
        MemberRow,
        household_members,
        properties={
            "value": attrs_composite(
                Member,
                household_members.c.resident_id,
                household_members.c.role,
                household_members.c.since,
                household_members.c.lease_end,
            ),
            "household": relationship(Household, back_populates="_member_rows"),
        },
    )
    mappers.map_imperatively(
        Household,
        households,
        version_id_col=households.c.version,
        properties={
            VERSION_ATTRIBUTE: households.c.version,
            "_member_rows": relationship(
                MemberRow,
                back_populates="household",
                cascade="all, delete-orphan",
                passive_deletes=True,
                lazy="selectin",
                order_by=[household_members.c.since, household_members.c.resident_id],
            ),
        },
    )
    value_list(Household, "members", "_member_rows", MemberRow)
    register_child_rows(MemberRow, "household")
