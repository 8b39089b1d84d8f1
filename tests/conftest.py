"""Fixtures every test file may use (the helpers behind them live in tests/support/), and
the tiers' housekeeping: under pytest-xdist the slow files first and the view's files as one
unit; in the fast tier (`-m "not slow ..."`) wholly slow files left unimported and fewer
property-test examples (tests/support/tiers.py); a note of fast-tier tests that outgrew it."""

from __future__ import annotations

import os
import re
import resource

# One BLAS thread, set before anything imports NumPy (and inherited by the sweeps' and
# pools' worker processes). The suite's linear algebra is small; on a shared 2-core
# machine OpenBLAS's spinning threads multiplied its CPU time by 12 (the Markov-chain
# checks of tests/test_verification_theory.py: 20 s of CPU against 1.6 s).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import pytest  # noqa: E402


@pytest.fixture
def small_city():
    # imported here, not above: pytest-xdist's controlling process reads this file but runs
    # no test, and importing the model (Mesa, pandas, SciPy) costs it seconds of CPU
    from tests.support.cities import small

    return small


def pytest_configure(config):
    """The fast tier (a run that deselects the slow tests, as `make test-fast` does) is
    told so through TIAOKUAI_TEST_TIER, which `tests.support.tiers` reads; each pytest-xdist
    worker configures itself from the same options."""
    if "not slow" in (config.getoption("markexpr", "") or ""):
        os.environ["TIAOKUAI_TEST_TIER"] = "fast"
    else:
        os.environ.pop("TIAOKUAI_TEST_TIER", None)


_WHOLE_FILE_SLOW = re.compile(r"^pytestmark = pytest\.mark\.slow\b", re.MULTILINE)


def pytest_ignore_collect(collection_path, config):
    """In the fast tier, a test file marked slow as a whole (`pytestmark = pytest.mark.slow`)
    is not imported at all: each pytest-xdist worker would import it (SciPy's statistics,
    every shipped scenario read) only to deselect every test in it."""
    if (os.environ.get("TIAOKUAI_TEST_TIER") == "fast" and collection_path.suffix == ".py"
            and collection_path.name.startswith("test_")
            and _WHOLE_FILE_SLOW.search(collection_path.read_text(encoding="utf-8"))):
        return True
    return None


# The view's test files (in-process page, comparison, layout, panel) run on one pytest-xdist
# worker: importing Solara, the app and Matplotlib costs each worker that runs any of them
# seconds of CPU, paid once if they share a work unit. The files import them on first use,
# so the other worker never does.
VIEW_TEST_FILES = "tests/test_viz_"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, with the view's test files as one work unit instead of several."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ViewFilesTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            scope = super()._split_scope(nodeid)
            return VIEW_TEST_FILES if scope.startswith(VIEW_TEST_FILES) else scope

    return ViewFilesTogether(config, log)


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist, hand out the long work units first: the slow and browser tests
    (make test), then the view's files, the fast tier's largest unit (about a third of its
    CPU). The workers take whole units in collection order, and a long one drawn last would
    leave one core idle while the other finishes it. Serial runs keep the file order."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: (
            not any(item.iter_markers("slow")) and not any(item.iter_markers("browser")),
            not item.nodeid.startswith(VIEW_TEST_FILES),
        ))


# A test in the fast tier (not marked slow or browser) should cost at most this much CPU
# (its process and reaped children, setup to teardown); `make test-fast` lists those that
# cost more, to be marked slow or made smaller. A note, not a failure: CPU time varies.
FAST_TEST_CPU_SECONDS = 2.0


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


_began = pytest.StashKey[float]()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.stash[_began] = _cpu_seconds()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    # the last report of a test carries its CPU time (under xdist, to the controlling process)
    if call.when == "teardown" and _began in item.stash and not any(item.iter_markers("slow")) \
            and not any(item.iter_markers("browser")):
        outcome.get_result().user_properties.append(("cpu_seconds", _cpu_seconds() - item.stash[_began]))


def pytest_runtest_logreport(report):
    cpu = dict(report.user_properties).get("cpu_seconds") if report.when == "teardown" else None
    if cpu is not None and cpu > FAST_TEST_CPU_SECONDS:
        _heavy_tests.append((cpu, report.nodeid))


_heavy_tests: list[tuple[float, str]] = []


def pytest_terminal_summary(terminalreporter):
    if _heavy_tests:
        terminalreporter.section("fast-tier tests over their CPU budget")
        terminalreporter.write_line(f"{len(_heavy_tests)} tests not marked slow took over "
                                    f"{FAST_TEST_CPU_SECONDS:.0f} s of CPU each: mark them slow or make them smaller")
        for cpu, nodeid in sorted(_heavy_tests, reverse=True):
            terminalreporter.write_line(f"{cpu:6.1f} s  {nodeid}")
