"""Mapping of ReconciliationReport 对账报告: the report's row and its discrepancies, a list of
frozen values in a child table (as a payment's refunds are, see ``billing.py``)."""

from __future__ import annotations

from sqlalchemy.orm import registry

from adapters.persistence.sqlalchemy.mapping.billing import (
    ValueRow,
    map_value_list,
    proxy_value_list,
)
from adapters.persistence.sqlalchemy.mapping.support import VERSION_ATTRIBUTE, attrs_composite
from adapters.persistence.sqlalchemy.tables.reconciliation import (
    reconciliation_discrepancies,
    reconciliation_reports,
)
from estate_core.payments.reconciliation import Discrepancy, ReconciliationReport


class DiscrepancyRow(ValueRow):
    report: ReconciliationReport


def map_reconciliation(mappers: registry) -> None:
    d = reconciliation_discrepancies.c
    discrepancies = map_value_list(
        mappers,
        ReconciliationReport,
        "discrepancies",
        DiscrepancyRow,
        reconciliation_discrepancies,
        "report",
        attrs_composite(
            Discrepancy,
            d.id,
            d.kind,
            d.subject,
            d.out_trade_no,
            d.out_refund_no,
            d.transaction_id,
            d.gateway_amount,
            d.local_amount,
            d.payment_id,
            d.lines,
            d.state,
            d.note,
            d.found_at,
            d.resolved_by,
            d.resolved_at,
        ),
    )
    mappers.map_imperatively(
        ReconciliationReport,
        reconciliation_reports,
        version_id_col=reconciliation_reports.c.version,
        properties={VERSION_ATTRIBUTE: reconciliation_reports.c.version, **discrepancies},
    )
    proxy_value_list(ReconciliationReport, "discrepancies", DiscrepancyRow, "report")
