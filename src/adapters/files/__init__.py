"""File storage adapters: a local directory (the default)."""
