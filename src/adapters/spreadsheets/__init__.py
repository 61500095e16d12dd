"""Spreadsheet files read into the rows the core's imports take (``estate_core.shared.tabular``)."""
