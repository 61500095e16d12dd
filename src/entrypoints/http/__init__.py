"""The Litestar web service: resident and staff APIs, health, OpenAPI (DESIGN.md §6)."""
