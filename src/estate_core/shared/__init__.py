"""Shared kernel: money, identifiers, clock, errors, events, access and the unit of work."""
