"""Fixtures of the payment tests."""

from billing_world import world as world
