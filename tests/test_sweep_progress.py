"""The progress bar: runs done of total, runs per second and time left, on stderr."""

import io

from sim.sweep.progress import Progress, clock


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_one_redrawn_line_counting_stored_runs_too():
    out = Terminal()
    bar = Progress(total=10, already=4, stream=out)
    for _ in range(6):
        bar.advance()
    bar.finish()
    text = out.getvalue()
    assert text.startswith("\r[")
    assert "10/10 runs" in text and "runs/s" in text and "ETA" in text
    assert text.count("\n") == 2  # the final bar, then the summary line


def test_a_log_gets_plain_lines_every_so_often_not_a_line_per_run():
    out = io.StringIO()
    bar = Progress(total=1000, stream=out, line_every=3600)
    for _ in range(1000):
        bar.advance()
    assert out.getvalue() == ""  # nothing between the periodic lines
    bar.finish()
    assert out.getvalue().startswith("1000 runs in")
    assert "\r" not in out.getvalue()


def test_quiet_means_silent():
    out = Terminal()
    bar = Progress(total=3, stream=out, quiet=True)
    bar.advance(3)
    bar.finish()
    assert out.getvalue() == ""


def test_time_left_is_shown_as_a_clock():
    assert clock(59) == "0:59"
    assert clock(3 * 3600 + 62) == "3:01:02"
    bar = Progress(total=100, already=50, stream=io.StringIO())
    bar.done = 10
    bar.start -= 10.0  # 10 runs in 10 s: 40 left take 40 s
    assert "60/100 runs  1.0 runs/s  ETA 0:40" in bar.text()
