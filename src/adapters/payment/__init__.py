"""Payment adapters: the tenants' receiving accounts (gateway adapters come with their issue)."""
