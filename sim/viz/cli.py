"""`tiaokuai viz [SCENARIO]`: serve the interactive app with Solara on this machine.

The command checks its inputs (scenario file, seed, port) and then becomes the Solara
server (`exec`), so the process id the user or a test holds *is* the server's and
stopping it stops everything. Solara is imported only by the server, never here: the
rest of the command line works without the `viz` extra.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
import sys
from pathlib import Path

from ..errors import InputError, Problem
from .settings import (
    DEFAULT_SEED,
    ENV_COMPARE,
    ENV_PRESETS,
    ENV_SCENARIO,
    ENV_SEED,
    MAX_SEED,
    default_presets_dir,
    default_scenario,
)

APP_MODULE = "sim.viz.app"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "viz",
        help="explore a scenario interactively in the browser (Solara app)",
        description="Serve the interactive app: the hierarchy as a network, live plots, and "
        "a panel of levers, presets and seed. Open the printed address in a browser.",
    )
    parser.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help="scenario YAML to open first (default: a preset from scenarios/)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    parser.add_argument(
        "--seed", type=int, default=None, help=f"seed for the first run (default {DEFAULT_SEED}, as for `run`)"
    )
    parser.add_argument(
        "--compare",
        metavar="OTHER",
        default=None,
        help="a second scenario to run side by side with SCENARIO on the same seed",
    )
    parser.add_argument(
        "--presets",
        metavar="DIR",
        default=None,
        help="folder whose *.yaml files the preset chooser lists (default: scenarios/)",
    )
    parser.add_argument(
        "--open", action="store_true", help="also open the app in the default web browser"
    )
    parser.set_defaults(handler=run_viz)


def run_viz(args: argparse.Namespace) -> int:
    """Check the inputs, then replace this process with the Solara server."""
    command, env = server_command(args)
    if not is_loopback(args.host):
        print(
            f"warning: --host {args.host} is not a loopback address: anyone who can reach this "
            f"machine on port {args.port} can open the app and run the model",
            file=sys.stderr,
            flush=True,
        )
    shown = env[ENV_SCENARIO] + (f" beside {env[ENV_COMPARE]}" if env.get(ENV_COMPARE) else "")
    print(f"tiaokuai viz: serving {shown} at http://{args.host}:{args.port}/", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)
    return 0  # not reached


def server_command(args: argparse.Namespace) -> tuple[list[str], dict[str, str]]:
    """The `solara run` command line and environment for these arguments, checked."""
    from ..cli_run import scenario_only
    from ..scenario_io import load_scenario

    problems = []
    presets = Path(args.presets) if args.presets else default_presets_dir()
    if args.presets and not presets.is_dir():
        problems.append(Problem("--presets", "", "not a folder", args.presets))
    scenario_path: Path | None
    if args.scenario:
        scenario_path = Path(args.scenario)
    else:
        scenario_path = default_scenario(presets)
        if scenario_path is None:
            problems.append(
                Problem("viz", "SCENARIO", f"no scenario given and no *.yaml in {presets}", None)
            )
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        problems.append(Problem("--seed", "", f"must be a whole number from 0 to {MAX_SEED}", args.seed))
    if not 1 <= args.port <= 65535:
        problems.append(Problem("--port", "", "must be from 1 to 65535", args.port))
    if problems or scenario_path is None:
        raise InputError(problems)
    compare_path = Path(args.compare) if getattr(args, "compare", None) else None
    for path in (scenario_path, compare_path):
        if path is not None:
            scenario_only(str(path), "viz")  # an experiment file is named as one, not as a scenario's faults
            load_scenario(path)  # refuses a missing or invalid file with its own problems
    listen_problem = check_listen(args.host, args.port)
    if listen_problem is not None:
        raise InputError([listen_problem])

    env = dict(os.environ)
    env[ENV_SCENARIO] = str(scenario_path.resolve())
    env[ENV_PRESETS] = str(presets.resolve())
    if args.seed is not None:
        env[ENV_SEED] = str(args.seed)
    else:
        env.pop(ENV_SEED, None)
    if compare_path is not None:
        env[ENV_COMPARE] = str(compare_path.resolve())
    else:
        env.pop(ENV_COMPARE, None)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.setdefault("MPLBACKEND", "Agg")
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        args.host,
        "--port",
        str(args.port),
        "--production",
        "--open" if args.open else "--no-open",
    ]
    return command, env


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine's loopback interface only (127.x, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen(host: str, port: int) -> Problem | None:
    """Can the server listen on host:port? None if so, else the problem, blaming the right
    option: a host that is no address of this machine is the host's fault, not the port's."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        return Problem("--host", "", "not an address or host name this machine can resolve", host)
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return Problem("--port", "", f"cannot listen on {host}:{port}: already in use", port)
            if exc.errno in (errno.EACCES, errno.EPERM):
                return Problem("--port", "", f"cannot listen on {host}:{port}: permission denied", port)
            return Problem("--host", "", f"cannot listen on this address ({exc.strerror or exc})", host)
    return None
