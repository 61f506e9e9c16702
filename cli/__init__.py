"""The ``gal-friday`` command line."""
