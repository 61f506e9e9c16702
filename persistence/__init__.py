"""Gal-Friday's persistence: tables, the imperative mapping, engines, repositories, migrations."""
