"""Working as a team on one host: ``serve`` (the workbench in a browser), ``backup`` and
``check``."""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from pathlib import Path

import click

from qualcode.cli import main
from qualcode.cli.common import open_study
from qualcode.core.errors import QualcodeError


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """Refuse, in one line, a port that another program holds (before any browser tries)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise QualcodeError(
                f"port {port} on {host} is in use ({exc.strerror}); choose another with --port"
            ) from None


@main.command()
@click.argument("study_path", metavar="STUDY", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Listen on an address other machines can reach (the study's interviews become reachable "
    "by anyone who can reach this port: only behind the institution's authenticated proxy).",
)
def serve(study_path: Path | None, port: int, host: str, allow_remote: bool) -> None:
    """Serve the coding workbench to browsers: every browser tab is its own session on this
    host, over the same study file, and sees the others' work.

    Listens on 127.0.0.1 only: colleagues reach it through an SSH tunnel
    (`ssh -L 8000:localhost:8000 SERVER`, then http://localhost:8000) or the institution's
    reverse proxy with its own login. There is no login of qualcode's own.

    Example: qualcode serve armoede.qualcode --port 8000
    """
    study = open_study(study_path)  # the default study, checked before the server starts
    path = study.path
    study.close()
    if path is None:
        raise QualcodeError("serve needs a study file")
    if not _is_loopback(host) and not allow_remote:
        raise QualcodeError(
            f"{host} can be reached from other machines, and qualcode has no login of its own; "
            "use an SSH tunnel to 127.0.0.1, or pass --allow-remote behind an authenticated proxy"
        )
    _check_port(host, port)
    from textual_serve.server import Server  # aiohttp and friends: only for this command

    # --ask-coder: every browser tab is its own person, whoever started the server.
    command = shlex.join([sys.executable, "-m", "qualcode", "open", "--ask-coder", str(path.resolve())])
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    if not _is_loopback(host):
        click.echo(
            f"Warning: listening on {host}: anyone who can reach this port can read and change the study. "
            "Keep it behind an authenticated proxy.",
            err=True,
        )
    click.echo(f"Serving {path} at {url} (ctrl+c stops).")
    if _is_loopback(host):
        click.echo(f"From another machine: ssh -L {port}:localhost:{port} THIS-HOST, then open {url}")
    Server(command, host=host, port=port, title=f"qualcode — {path.name}").serve()
    click.echo("Stopped.")


@main.command()
@click.argument("study_path", metavar="STUDY", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The backup file.")
def backup(study_path: Path, output: Path) -> None:
    """Copy a study while colleagues keep working in it (SQLite's online backup): the copy is
    consistent, private (0600) and written whole or not at all.

    Example: qualcode backup armoede.qualcode -o backups/armoede-2026-12-02.qualcode
    """
    if output.resolve() == study_path.resolve():
        raise QualcodeError(f"{output}: that is the study itself; choose another file")
    study = open_study(study_path)
    try:
        pages = study.backup(output)
    finally:
        study.close()
    click.echo(f"Backed up {study_path} to {output} ({pages:,} pages).")


@main.command()
@click.argument("study_path", metavar="STUDY", required=False, type=click.Path(dir_okay=False, path_type=Path))
def check(study_path: Path | None) -> None:
    """Check a study file: SQLite's integrity and foreign keys, the count tables against the
    codings, the full-text index, and the undo log against the rows it describes. One line per
    problem; exit code 1 when there is any.

    Example: qualcode check armoede.qualcode
    """
    study = open_study(study_path)
    try:
        problems = study.check()
        name = study.path
    finally:
        study.close()
    for problem in problems:
        click.echo(f"{name}: {problem}")
    if problems:
        raise SystemExit(1)
    click.echo(f"{name}: no problems found.")
