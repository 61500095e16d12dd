"""Payments 支付单: a supporting context of billing and commerce. A payment pays bills of one
property, a prepayment top-up or a merchant order, online through the tenant's own merchant
account or at the cashier's counter; settlement is idempotent and refunds are exact."""
