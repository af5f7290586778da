"""The ``qualcode`` click group, the entry point, and starting the terminal UI.

The command modules (core, analysis, agreement, assist, codebook, exchange) import ``main``
from here and register their commands on it; nothing here imports them, so there is no
cycle between the group and its commands.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
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
        except sqlite3.DatabaseError as exc:
            # Raised outside the Store's own translation (a store module reading through the
            # connection directly): damaged page, full disk, read-only file get the same line.
            from qualcode.study.study import describe_database_error

            click.echo(f"Error: {describe_database_error(exc)}", err=True)
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
        open_default()


def run() -> None:
    main(prog_name="qualcode")


def launch_tui(path: Path, *, coder: str | None = None, ask_coder: bool = False) -> None:
    """Open ``path`` in the terminal UI (Textual is imported only now: `qualcode --help` stays fast)."""
    from qualcode.tui.app import run_app

    run_app(path, coder=coder, ask_coder=ask_coder)


def open_default() -> None:
    """`qualcode` alone: the last study, else the sample study."""
    from qualcode.core import config
    from qualcode.study.sample import build_demo, default_demo_path

    last = config.last_study()
    if last is not None and last.exists():
        launch_tui(last)
        return
    target = default_demo_path()
    if not target.exists():
        click.echo("Building the sample study…", err=True)
        build_demo(target)
    config.remember_study(target)
    launch_tui(target)
