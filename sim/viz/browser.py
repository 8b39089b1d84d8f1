"""Driving the app from outside, as a user would: a `tiaokuai viz` server in a subprocess
and the system Chromium for Playwright. Used by the browser test and the benchmark.

The server is started on a free 127.0.0.1 port and always stopped by its own process
id (the `viz` command execs into Solara, so that id is the server's), whatever happens
in between. Playwright cannot download its own browser here, so it drives the system
Chromium (Debian's `chromium` package).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ENV = "TIAOKUAI_CHROMIUM"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def find_chromium() -> str | None:
    """The system Chromium (Debian's `chromium` package), or None.

    $TIAOKUAI_CHROMIUM names another browser binary; set to `none`, it hides Chromium (to
    see what a machine without one does).
    """
    chosen = os.environ.get(CHROMIUM_ENV, "").strip()
    if chosen.lower() == "none":
        return None
    for candidate in (chosen,) if chosen else CHROMIUM_CANDIDATES:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class ServerFailed(RuntimeError):
    pass


@dataclass
class RunningServer:
    """A `tiaokuai viz` server started by `viz_server`."""

    url: str
    process: subprocess.Popen
    log: object
    seconds_to_serve: float = 0.0

    def output(self) -> str:
        return read_log(self.log)


@contextmanager
def viz_server(scenario: str | Path, seed: int = 7, timeout: float = 60.0, extra_args: tuple[str, ...] = ()):
    """Run `python -m sim viz` on a free loopback port; yield a RunningServer; always stop it."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+b")
    command = [
        sys.executable, "-m", "sim", "viz", str(scenario),
        "--host", "127.0.0.1", "--port", str(port), "--seed", str(seed), *extra_args,
    ]
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    server = RunningServer(f"http://127.0.0.1:{port}/", process, log)
    try:
        server.seconds_to_serve = wait_until_serving(server.url, process, log, timeout)
        yield server
    finally:
        stop(process)
        log.close()


def wait_until_serving(url: str, process: subprocess.Popen, log, timeout: float) -> float:
    """Poll until the server answers 200; fail early, with its output, if it dies."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if process.poll() is not None:
            raise ServerFailed(f"viz server exited with {process.returncode}:\n{read_log(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - began
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.2)
    raise ServerFailed(f"viz server not serving {url} after {timeout:.0f} s:\n{read_log(log)}")


def read_log(log) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode("utf-8", "replace")[-4000:]


def stop(process: subprocess.Popen) -> None:
    """Stop the server by its own process id: SIGTERM, then SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def launch_chromium(playwright, executable: str | None = None):
    """Headless system Chromium under Playwright."""
    executable = executable or find_chromium()
    if executable is None:
        raise FileNotFoundError("no system Chromium found (install Debian's `chromium` package)")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


def offline_only(page) -> list[str]:
    """Refuse every request that leaves this machine; return the list of refused URLs.

    The app must work without a network: page assets come from `solara-assets`.
    """
    refused: list[str] = []

    def route(request_route):
        url = request_route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    page.route("**/*", route)
    return refused
