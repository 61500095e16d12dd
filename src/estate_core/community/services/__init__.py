"""Use cases of the community context, one module per aggregate or concern.

``notices`` (staff write, moderate, publish, schedule and withdraw 公告), ``notice_reading``
(residents' lists, read receipts and reach rate), ``dunning`` (催缴函 from arrears),
``activities`` (小区活动) and ``visitors`` (访客通行证). Each use case runs in one unit of work and
returns ids or frozen read models.
"""
