"""``python -m gal_friday.cli``: the ``gal-friday`` command without its console script.

For an environment where another package (the bot) owns the ``gal-friday`` script name
(docs/database.md, "Sharing a package"); ``gal-friday-db`` is the same command too.
"""

from gal_friday.cli.main import main

if __name__ == "__main__":
    main()
