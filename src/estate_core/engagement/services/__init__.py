"""Use cases of the engagement context, one module per aggregate or workflow."""
