"""Identity: tenants (property companies), communities, residents, staff, roles, SMS codes."""
