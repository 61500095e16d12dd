"""Tables of the parking context: parking cards 停车月卡, one per parking space.

A card's renewals (each keyed by its payment) are read and written only with the card: one JSON
column. ``uq_parking_cards_tenant_id_property_id`` keeps one card per space
(``parking_card.space_has_a_card``); the list of cards expiring soon reads
``ix_parking_cards_expiring`` (active cards of a community by valid-until date).
"""

from __future__ import annotations

import sqlalchemy as sa

from adapters.persistence.sqlalchemy.metadata import (
    CONFLICT_CODE,
    id_column,
    metadata,
    partial_index,
    tenant_foreign_key,
    tenant_id_column,
    tenant_primary_key,
    version_column,
)
from adapters.persistence.sqlalchemy.tables.value_lists import ValueTuple
from adapters.persistence.sqlalchemy.types import MoneyType, UtcDateTime, str_enum
from estate_core.parking.card import CardState, Renewal

parking_cards = sa.Table(
    "parking_cards",
    metadata,
    tenant_id_column(),
    id_column(),
    sa.Column("community_id", sa.Uuid(), nullable=False),
    sa.Column("property_id", sa.Uuid(), nullable=False),
    sa.Column("plate", sa.String(16), nullable=False),
    sa.Column("monthly_fee", MoneyType(), nullable=False),
    sa.Column("valid_until", sa.Date(), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("state", str_enum(CardState, "state"), nullable=False),
    sa.Column("cancel_reason", sa.Text(), nullable=False),
    sa.Column("renewals", ValueTuple(Renewal), nullable=False),
    version_column(),
    tenant_primary_key(),
    sa.UniqueConstraint(
        "tenant_id", "property_id", info={CONFLICT_CODE: "parking_card.space_has_a_card"}
    ),
    tenant_foreign_key("property_id", "properties"),
    sa.CheckConstraint("monthly_fee > 0", name="fee_positive"),
    sa.CheckConstraint(
        "(state = 'cancelled') = (cancel_reason <> '')", name="reason_iff_cancelled"
    ),
    partial_index(
        "ix_parking_cards_expiring",
        "tenant_id",
        "community_id",
        "valid_until",
        "id",
        where="state = 'active'",
    ),
)
