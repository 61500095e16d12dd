"""Billing: fee items 收费项目, bills 账单, billing runs 出账, meter readings 抄表, prepayment 预缴,
public funds 公共收支, bill import 导入. Payments of bills are in :mod:`estate_core.payments`."""
