"""Serve the dashboard on 127.0.0.1 (never on other addresses) with uvicorn.

The socket is bound here, before the server starts, so that a port in use is a clear
error and ``--port 0`` (a free port chosen by the system) prints the address it got.
"""

from __future__ import annotations

import os
import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from teachsim.config.errors import ConfigError

#: the only address the dashboard listens on: it runs the model and writes files for
#: whoever can reach it, so it must not be reachable from other machines
HOST = "127.0.0.1"
DEFAULT_PORT = 8765
#: where the page modules find the results directory given on the command line
RESULTS_ENV = "TEACHSIM_DASHBOARD_RESULTS"


def bind(port: int) -> socket.socket:
    """A listening socket on ``HOST:port``, or a ConfigError saying what to do."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        raise ConfigError("--port", None, f"cannot listen on {HOST}:{port} "
                          f"({exc.strerror or exc})", "choose another port with --port N, "
                          "or --port 0 for any free one") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def configure(results: Path | None) -> None:
    """Settings the Solara server reads at import: the app module, no telemetry (this
    machine may have no network, and users' what-ifs are nobody else's business), the
    assets bundled in the solara-assets package rather than a CDN."""
    os.environ["SOLARA_APP"] = "teachsim.dashboard.app"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    os.environ.setdefault("MPLBACKEND", "Agg")
    if results is not None:
        os.environ[RESULTS_ENV] = str(results.resolve())
    else:
        os.environ.pop(RESULTS_ENV, None)


def serve(results: Path | None = None, port: int = DEFAULT_PORT, open_browser: bool = True,
          announce: Callable[[str], None] = print) -> None:
    """Serve the dashboard until interrupted; ``announce`` gets its address once it
    answers."""
    if results is not None and not results.is_dir():
        raise ConfigError(results, None, "is not a directory (RESULTS_DIR)",
                          "give an experiment's results directory (written by teachsim "
                          "sweep), or leave it out")
    sock = bind(port)
    url = f"http://{HOST}:{sock.getsockname()[1]}/"
    configure(results)
    import uvicorn
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False
    config = uvicorn.Config("solara.server.starlette:app", log_level="warning",
                            ws_ping_interval=20)
    server = uvicorn.Server(config)

    def when_up() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.05)
        announce(url)
        if open_browser:
            webbrowser.open(url)

    threading.Thread(target=when_up, daemon=True).start()
    server.run(sockets=[sock])
