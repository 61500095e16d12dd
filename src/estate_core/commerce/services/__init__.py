"""Use cases of the commerce context, one module per aggregate: merchants (and products),
orders, coupons. Each runs in one unit of work and returns ids or frozen read models."""
