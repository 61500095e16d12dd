"""Adapters: implementations of the ports of estate_core (persistence, payment, SMS, messaging)."""
