"""Entrypoints: the `estate` CLI, the HTTP service and the worker; they compose, never decide."""
