"""A progress bar on stderr: runs done of total, runs per second, time left.

On a terminal it redraws one line at most a few times a second. Elsewhere (CI logs, a
file) it prints a plain line every so often, so logs stay short but show life.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


def clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """Counts runs finished in this session against those the sweep still needed."""

    def __init__(
        self,
        total: int,
        already: int = 0,
        stream: TextIO | None = None,
        quiet: bool = False,
        line_every: float = 10.0,
        width: int = 28,
    ):
        self.total = total
        self.already = already
        self.done = 0
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.line_every = line_every
        self.width = width
        self.start = time.perf_counter()
        self._last = 0.0
        self._drawn = False

    @property
    def todo(self) -> int:
        return self.total - self.already

    def rate(self) -> float:
        elapsed = time.perf_counter() - self.start
        return self.done / elapsed if elapsed > 0 else 0.0

    def text(self) -> str:
        count = self.already + self.done
        frac = count / self.total if self.total else 1.0
        filled = int(frac * self.width)
        bar = "#" * filled + "." * (self.width - filled)
        rate = self.rate()
        left = (self.todo - self.done) / rate if rate > 0 else float("nan")
        eta = clock(left) if rate > 0 else "?"
        return f"[{bar}] {count}/{self.total} runs  {rate:.1f} runs/s  ETA {eta}"

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.quiet:
            return
        now = time.perf_counter()
        if self.tty:
            if now - self._last >= 0.2 or self.done >= self.todo:
                self.stream.write("\r" + self.text())
                self.stream.flush()
                self._last, self._drawn = now, True
        elif now - self._last >= self.line_every:
            if self._last:  # the first line comes after line_every seconds, not at once
                self.stream.write(self.text() + "\n")
                self.stream.flush()
            self._last = now

    def finish(self, message: str = "") -> None:
        if self.quiet:
            return
        if self.tty and self._drawn:
            self.stream.write("\r" + self.text() + "\n")
        elapsed = time.perf_counter() - self.start
        self.stream.write(
            f"{self.done} runs in {clock(elapsed)} ({self.rate():.1f} runs/s){message}\n"
        )
        self.stream.flush()
