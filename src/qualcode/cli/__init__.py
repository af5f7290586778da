"""The ``qualcode`` command line: thin click commands over :mod:`qualcode.study.study`.

Importing this package must stay cheap (``qualcode --help`` under 0.3 s): the study, spaCy
and scikit-learn are imported inside the commands that need them.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import click

from qualcode.core.errors import QualcodeError


class QualcodeGroup(click.Group):
    """Turns user-facing errors into one line on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QualcodeError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                click.echo("Error: the study is busy in another program; try again in a moment", err=True)
            else:
                click.echo(f"Error: the study file could not be used ({exc})", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted; everything finished before this point is saved.", err=True)
            ctx.exit(130)


@click.group(cls=QualcodeGroup, invoke_without_command=True)
@click.version_option(package_name="qualcode")
@click.pass_context
def main(ctx: click.Context) -> None:
    """qualcode: code interview transcripts and compare themes across organisations.

    Run `qualcode` alone to open the last study in the terminal UI (or the sample study),
    `qualcode demo` to build and open the sample study, `qualcode COMMAND --help` for a
    command's options and an example.
    """
    if ctx.invoked_subcommand is None:
        from qualcode.cli.core import open_default

        open_default()


def run() -> None:
    main(prog_name="qualcode")


# Registering the commands; each module imports only click at module level.
from qualcode.cli import agreement, analysis, assist, codebook, core, exchange, pseudonymise  # noqa: E402,F401

__all__ = ["main", "run"]
