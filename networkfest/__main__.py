"""`python -m networkfest` is the `networkfest` command."""

from networkfest.cli import main

main()
