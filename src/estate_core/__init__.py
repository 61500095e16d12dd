"""estate_core: the pure domain of the estate property-management platform.

It imports only the standard library and attrs. Adapters (persistence, payment gateways, SMS)
plug in through the ports each bounded context declares; see docs/architecture.md.
"""
