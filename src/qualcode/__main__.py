"""`python -m qualcode` runs the CLI."""

from qualcode.cli import run

run()
