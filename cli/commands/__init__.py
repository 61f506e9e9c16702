"""The ``gal-friday`` commands, one module per command group; main.py registers them."""
