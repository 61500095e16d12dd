"""Commerce: local merchants 小区商家, their products, orders 商家订单 and coupons 优惠券."""
