"""Parking 停车: monthly parking cards 月卡 on parking spaces, renewed and paid online
(seed 001 §2.2.4 为停车卡充值续费)."""
