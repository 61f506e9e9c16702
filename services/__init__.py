"""Gal-Friday's use cases on top of the unit of work: import, rebuild, report, record, snapshot."""
