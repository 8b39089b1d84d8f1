"""The `tiaokuai` command (also `python -m sim`): a thin layer over the package.

Subcommands live with what they drive: `validate` and `run` here, `sweep`/`compare` in
`sim.sweep.cli`, `viz` in `sim.viz.cli`, `sensitivity` in `sim.sensitivity.cli`. Each
module offers `register(subparsers)`; a user mistake (`InputError`) prints one line per
problem and exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import sys

from .errors import InputError

# a full disk, a read-only or vanished folder: the user's to fix, so one line, not a traceback
USER_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO,
               errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.ENOENT, errno.EEXIST}

# commands whose runs are stepped in stacks (sim.sweep.executors; $TIAOKUAI_STACK, --stack)
STACKING_COMMANDS = {"sweep", "sensitivity", "robustness", "calibrate"}

PLUGINS = ("sim.cli_run", "sim.sweep.cli", "sim.viz.cli", "sim.sensitivity.cli", "sim.robustness.cli",
           "sim.calibration.cli")


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors as one `error:` line like every other refusal."""

    def error(self, message: str):
        self.exit(2, f"error: {self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="tiaokuai",
        description="Agent-based simulation of work flowing between departments, streets, "
        "residents' committees and social organisations.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that part of the tool is not installed in this checkout
            raise
        module.register(sub)
    return parser




def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # usage errors (2) and --help (0) end here, as argparse intends
        return int(exit_.code or 0)
    try:
        if args.command in STACKING_COMMANDS:
            from .resources import requested_stack

            requested_stack()  # a bad $TIAOKUAI_STACK is refused before anything is read or written
        return int(args.handler(args) or 0)
    except InputError as err:
        for problem in err.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as err:
        if err.errno not in USER_ERRNOS:
            raise
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}; results finished before this are kept "
              "(a sweep resumes with the same command)", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
