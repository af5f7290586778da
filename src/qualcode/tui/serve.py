"""Serving the TUI to browsers with textual-serve (``qualcode serve``): every browser tab runs
its own ``qualcode open STUDY`` process on this host. Lives here because textual-serve belongs
to the TUI's side of the layers; the CLI checks the options and calls :func:`serve`."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path


def serve(path: Path, host: str, port: int) -> None:
    """Serve ``path`` at ``host:port`` until interrupted."""
    from textual_serve.server import Server  # aiohttp and friends: only for this command

    # --ask-coder: every browser tab is its own person, whoever started the server.
    command = shlex.join([sys.executable, "-m", "qualcode", "open", "--ask-coder", str(path.resolve())])
    Server(command, host=host, port=port, title=f"qualcode — {path.name}").serve()
