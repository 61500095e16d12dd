"""Properties: Property 房产 (home, parking space, shop) and Household 住户 (who may act for it)."""
