"""`python -m xdrlab` runs the CLI."""

from xdrlab.cli.entry import main

main()
