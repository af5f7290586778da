"""The ``qualcode`` click group, the entry point, and starting the terminal UI.

The command modules (core, analysis, agreement, assist, codebook, exchange, …) import
``main`` from here and register their commands on it. The group loads a command's module
only when that command is asked for (:data:`COMMAND_MODULES`), so `qualcode open STUDY`
does not build the options of fifty other commands before the first paint (the eight
other modules cost about 60 ms on a quiet machine); ``--help`` loads them all.
"""

from __future__ import annotations

import importlib
import sqlite3
from pathlib import Path
from typing import Any

import click

from qualcode.core.errors import QualcodeError

COMMAND_MODULES = {
    **dict.fromkeys(("agreement", "merge"), "agreement"),
    **dict.fromkeys(("compare", "cooccur", "crosstab", "kwic", "recount", "report", "stats", "words"), "analysis"),
    **dict.fromkeys(("suggest", "topics"), "assist"),
    **dict.fromkeys(("case", "cases", "document", "panel", "variables"), "cases"),
    **dict.fromkeys(("codebook", "codes"), "codebook"),
    **dict.fromkeys(
        (
            "adjust",
            "code",
            "coder",
            "codings",
            "demo",
            "documents",
            "history",
            "import",
            "info",
            "init",
            "memo",
            "open",
            "recode",
            "redo",
            "remove-document",
            "search",
            "sentences",
            "show",
            "turns",
            "uncode",
            "undo",
        ),
        "core",
    ),
    "export": "exchange",
    "pseudonymise": "pseudonymise",
    **dict.fromkeys(("backup", "check", "serve"), "team"),
}
"""Each top-level command and the module of ``qualcode.cli`` that defines it (a test checks
that this lists every command there is)."""


def load_commands(names: list[str] | None = None) -> None:
    """Import the modules that register ``names`` (all when None) on the group."""
    wanted = COMMAND_MODULES.values() if names is None else [COMMAND_MODULES[n] for n in names if n in COMMAND_MODULES]
    for module in dict.fromkeys(wanted):
        importlib.import_module(f"qualcode.cli.{module}")


class QualcodeGroup(click.Group):
    """Loads commands when asked for; turns user-facing errors into one line on stderr and
    exit code 1, never a traceback."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            load_commands([cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        load_commands()
        return super().list_commands(ctx)

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
    import gc

    # No garbage collection until the first frame (the app turns it back on): importing
    # Textual and building the screen make objects that all live, and collecting while they
    # are made costs a seventh of the start-up.
    gc.disable()
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
        from qualcode.analysis.prepared import prepare  # numpy: only when building

        build_demo(target, prepare=prepare)
    config.remember_study(target)
    launch_tui(target)
