"""Fixtures of the billing tests."""

from billing_world import world as world
