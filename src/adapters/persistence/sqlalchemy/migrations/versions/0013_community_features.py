"""Community features: satisfaction surveys 满意度测评, the answers of homes, feedback 问题反馈,
community directories 便民信息, parking cards 停车月卡 (and ``parking_card`` as a payment target),
refund requests 退款申请 of merchant orders (and ``refunded`` as an order's end), daily unique
visitors (UV) per community and feature.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Written by hand. The unique key on (survey, home) is what keeps "one answer per home" under
concurrent submissions; the CHECKs hold the window's order and each state's timestamps.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PAYMENT_TARGET_CHECK = "ck_payments_target"
PAYMENTS_BY_PROPERTY = "ix_payments_by_property"
TARGETS = ("bills", "merchant_order", "prepayment_topup")
ORDER_STATE_CHECK = "ck_merchant_orders_state"
ORDER_STATES = (
    "pending_payment",
    "pending_delivery",
    "delivering",
    "completed",
    "cancelled",
    "closed",
)


def _key(*columns: str) -> list[sa.Column[object]]:
    return [sa.Column(name, sa.Uuid(), nullable=False) for name in columns]


def _reference(table: str, column: str, target: str) -> sa.Constraint:
    """``(tenant_id, column)`` → ``target (tenant_id, id)``, checked at commit."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=op.f(f"fk_{table}_tenant_id_{column}_{target}"),
        deferrable=True,
        initially="DEFERRED",
    )


def _surveys() -> None:
    op.create_table(
        "surveys",
        *_key("tenant_id", "id"),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("project_type", sa.String(32), nullable=False),
        sa.Column("community_ids", JSON, nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("questions", JSON, nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("opened_at", UTC_TIME, nullable=True),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_surveys")),
        sa.CheckConstraint(
            "project_type IN ('residential', 'commercial', 'public_building')",
            name=op.f("ck_surveys_project_type"),
        ),
        sa.CheckConstraint("state IN ('draft', 'open', 'closed')", name=op.f("ck_surveys_state")),
        sa.CheckConstraint("opens_on <= closes_on", name=op.f("ck_surveys_window_ordered")),
        sa.CheckConstraint(
            "(state = 'draft') = (opened_at IS NULL)", name=op.f("ck_surveys_opened_iff_not_draft")
        ),
        sa.CheckConstraint(
            "(state = 'closed') = (closed_at IS NOT NULL)",
            name=op.f("ck_surveys_closed_iff_closed_at"),
        ),
    )
    op.create_index(
        "ix_surveys_open",
        "surveys",
        ["tenant_id", "created_at", "id"],
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_index(
        "ix_surveys_staff_list", "surveys", ["tenant_id", sa.column("created_at").desc(), "id"]
    )


def _survey_responses() -> None:
    op.create_table(
        "survey_responses",
        *_key("tenant_id", "id", "survey_id", "community_id", "property_id", "resident_id"),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("submitted_at", UTC_TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_survey_responses")),
        sa.UniqueConstraint(
            "tenant_id",
            "survey_id",
            "property_id",
            name=op.f("uq_survey_responses_tenant_id_survey_id_property_id"),
        ),
        _reference("survey_responses", "survey_id", "surveys"),
        _reference("survey_responses", "property_id", "properties"),
        _reference("survey_responses", "resident_id", "residents"),
    )
    op.create_index(
        "ix_survey_responses_tenant_id_survey_id_submitted_at_id",
        "survey_responses",
        ["tenant_id", "survey_id", "submitted_at", "id"],
    )


def _feedback() -> None:
    op.create_table(
        "feedback",
        *_key("tenant_id", "id"),
        sa.Column("reporter_kind", sa.String(32), nullable=False),
        sa.Column("reporter_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("screenshots", JSON, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("team", sa.String(32), nullable=True),
        sa.Column("triaged_by", sa.Uuid(), nullable=True),
        sa.Column("triaged_at", UTC_TIME, nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.Uuid(), nullable=True),
        sa.Column("answered_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_feedback")),
        sa.CheckConstraint(
            "reporter_kind IN ('resident', 'staff')", name=op.f("ck_feedback_reporter_kind")
        ),
        sa.CheckConstraint(
            "category IN ('fault', 'account', 'payment', 'suggestion', 'other')",
            name=op.f("ck_feedback_category"),
        ),
        sa.CheckConstraint(
            "state IN ('submitted', 'triaged', 'answered')", name=op.f("ck_feedback_state")
        ),
        sa.CheckConstraint(
            "team IN ('platform', 'it_centre', 'commerce', 'devices', 'wallet', 'property')",
            name=op.f("ck_feedback_team"),
        ),
        sa.CheckConstraint(
            "(state = 'submitted') = (team IS NULL)", name=op.f("ck_feedback_team_iff_triaged")
        ),
        sa.CheckConstraint(
            "(team IS NULL) = (triaged_at IS NULL) AND (team IS NULL) = (triaged_by IS NULL)",
            name=op.f("ck_feedback_triaged_by_someone"),
        ),
        sa.CheckConstraint(
            "(state = 'answered') = (answered_at IS NOT NULL)"
            " AND (answered_at IS NULL) = (answered_by IS NULL)"
            " AND (answered_at IS NULL) = (answer = '')",
            name=op.f("ck_feedback_answer_iff_answered"),
        ),
    )
    op.create_index(
        "ix_feedback_staff_list", "feedback", ["tenant_id", sa.column("created_at").desc(), "id"]
    )
    op.create_index(
        "ix_feedback_by_state",
        "feedback",
        ["tenant_id", "state", sa.column("created_at").desc(), "id"],
    )
    op.create_index(
        "ix_feedback_of_reporter",
        "feedback",
        ["tenant_id", "reporter_id", sa.column("created_at").desc(), "id"],
    )


def _community_directories() -> None:
    op.create_table(
        "community_directories",
        *_key("tenant_id", "id", "community_id"),
        sa.Column("hotlines", JSON, nullable=False),
        sa.Column("office_hours", JSON, nullable=False),
        sa.Column("nearby", JSON, nullable=False),
        sa.Column("roster", JSON, nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_community_directories")),
        sa.UniqueConstraint(
            "tenant_id",
            "community_id",
            name=op.f("uq_community_directories_tenant_id_community_id"),
        ),
        _reference("community_directories", "community_id", "communities"),
    )


def _parking_cards() -> None:
    op.create_table(
        "parking_cards",
        *_key("tenant_id", "id", "community_id", "property_id"),
        sa.Column("plate", sa.String(16), nullable=False),
        sa.Column("monthly_fee", sa.BigInteger(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("cancel_reason", sa.Text(), nullable=False),
        sa.Column("renewals", JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_parking_cards")),
        sa.UniqueConstraint(
            "tenant_id", "property_id", name=op.f("uq_parking_cards_tenant_id_property_id")
        ),
        _reference("parking_cards", "property_id", "properties"),
        sa.CheckConstraint("state IN ('active', 'cancelled')", name=op.f("ck_parking_cards_state")),
        sa.CheckConstraint("monthly_fee > 0", name=op.f("ck_parking_cards_fee_positive")),
        sa.CheckConstraint(
            "(state = 'cancelled') = (cancel_reason <> '')",
            name=op.f("ck_parking_cards_reason_iff_cancelled"),
        ),
    )
    op.create_index(
        "ix_parking_cards_expiring",
        "parking_cards",
        ["tenant_id", "community_id", "valid_until", "id"],
        sqlite_where=sa.text("state = 'active'"),
        postgresql_where=sa.text("state = 'active'"),
    )


def _order_refunds() -> None:
    op.create_table(
        "order_refunds",
        *_key(
            "tenant_id",
            "id",
            "order_id",
            "merchant_id",
            "community_id",
            "resident_id",
            "payment_id",
        ),
        sa.Column("paid_amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", UTC_TIME, nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("approved_amount", sa.BigInteger(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_order_refunds")),
        _reference("order_refunds", "order_id", "merchant_orders"),
        _reference("order_refunds", "payment_id", "payments"),
        sa.CheckConstraint(
            "state IN ('requested', 'approved', 'refused')", name=op.f("ck_order_refunds_state")
        ),
        sa.CheckConstraint("paid_amount > 0", name=op.f("ck_order_refunds_paid_positive")),
        sa.CheckConstraint(
            "(state = 'approved') = (approved_amount IS NOT NULL)"
            " AND (approved_amount IS NULL OR"
            " (approved_amount > 0 AND approved_amount <= paid_amount))",
            name=op.f("ck_order_refunds_approved_within_paid"),
        ),
        sa.CheckConstraint(
            "(state = 'refused') = (refusal_reason <> '')",
            name=op.f("ck_order_refunds_refused_has_reason"),
        ),
        sa.CheckConstraint(
            "(state = 'requested') = (decided_at IS NULL)"
            " AND (decided_at IS NULL) = (decided_by IS NULL)",
            name=op.f("ck_order_refunds_decided_when_decided"),
        ),
    )
    op.create_index(
        "uq_order_refunds_one_live_per_order",
        "order_refunds",
        ["tenant_id", "order_id"],
        unique=True,
        sqlite_where=sa.text("state IN ('requested', 'approved')"),
        postgresql_where=sa.text("state IN ('requested', 'approved')"),
    )
    op.create_index(
        "ix_order_refunds_pending",
        "order_refunds",
        ["tenant_id", "merchant_id", "requested_at", "id"],
        sqlite_where=sa.text("state = 'requested'"),
        postgresql_where=sa.text("state = 'requested'"),
    )


def _order_states(*states: str) -> None:
    """An order may now end ``refunded`` (an approved full refund)."""
    listed = ", ".join(f"'{state}'" for state in states)
    with op.batch_alter_table("merchant_orders") as batch:
        batch.drop_constraint(op.f(ORDER_STATE_CHECK), type_="check")
        batch.create_check_constraint(op.f(ORDER_STATE_CHECK), f"state IN ({listed})")


def _payment_targets(*targets: str) -> None:
    """A payment may now be for a parking card: the CHECK on ``payments.target`` lists it."""
    listed = ", ".join(f"'{target}'" for target in targets)
    with op.batch_alter_table("payments") as batch:
        batch.drop_constraint(op.f(PAYMENT_TARGET_CHECK), type_="check")
        batch.create_check_constraint(op.f(PAYMENT_TARGET_CHECK), f"target IN ({listed})")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's batch mode rebuilt the table from reflection, which loses the DESC of this
        # index: put it back as revision 0006 made it, so a home's payments list reads it in order.
        op.drop_index(PAYMENTS_BY_PROPERTY, table_name="payments")
        op.create_index(
            PAYMENTS_BY_PROPERTY,
            "payments",
            ["tenant_id", "property_id", sa.column("created_at").desc(), "id"],
        )


def _daily_visitors() -> None:
    op.create_table(
        "daily_visitors",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("community_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("feature", sa.String(32), nullable=False),
        sa.Column("visitor", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "community_id", "day", "feature", "visitor", name=op.f("pk_daily_visitors")
        ),
        sa.CheckConstraint(
            "feature IN ('bills', 'payment', 'repair', 'complaint', 'notices', 'activities',"
            " 'visitors', 'coupons', 'merchants')",
            name=op.f("ck_daily_visitors_feature"),
        ),
    )


def upgrade() -> None:
    _surveys()
    _survey_responses()
    _feedback()
    _community_directories()
    _parking_cards()
    _payment_targets(*TARGETS, "parking_card")
    _order_states(*ORDER_STATES, "refunded")
    _order_refunds()
    _daily_visitors()


def downgrade() -> None:
    _payment_targets(*TARGETS)
    _order_states(*ORDER_STATES)
    for table in (
        "daily_visitors",
        "order_refunds",
        "parking_cards",
        "community_directories",
        "feedback",
        "survey_responses",
        "surveys",
    ):
        op.drop_table(table)
