"""The view's in-process page, as the viz tests drive it with Solara's test renderer.

Solara, ipywidgets and ipyvuetify are imported on first use, not when a test file is
collected: under pytest-xdist every worker imports every test module, and these (with the
app, which pulls in Matplotlib) cost seconds of CPU that only the worker running the view's
tests needs. A test that touches them is skipped when they are not installed.
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from pathlib import Path

import pytest

from sim.viz.settings import ENV_COMPARE, ENV_PRESETS, ENV_SCENARIO, ENV_SEED

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "unlimited-responsibility.yaml"
GATED = SCENARIOS / "gate-and-resources.yaml"
LISTS = SCENARIOS / "admission-list.yaml"
PENDING = "The panel differs from the running model: press Reset to apply."


class _OnFirstUse:
    """A module imported when one of its attributes is first read (skipping the test if absent)."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(pytest.importorskip(self._name), attribute)


solara = _OnFirstUse("solara")
ipywidgets = _OnFirstUse("ipywidgets")
v = _OnFirstUse("ipyvuetify")


@contextmanager
def rendered_page(monkeypatch, scenario: Path = BASELINE, seed: int = 7, compare: Path | None = None,
                  presets: Path = SCENARIOS):
    """The page as `tiaokuai viz SCENARIO --seed SEED [--compare COMPARE]` opens it, with
    PRESETS offered in the chooser; closed on leaving."""
    monkeypatch.setenv(ENV_PRESETS, str(presets))
    monkeypatch.setenv(ENV_SCENARIO, str(scenario))
    monkeypatch.setenv(ENV_SEED, str(seed))
    if compare is None:
        monkeypatch.delenv(ENV_COMPARE, raising=False)
    else:
        monkeypatch.setenv(ENV_COMPARE, str(compare))
    page = importlib.import_module("sim.viz.app").Page
    _, rc = solara.render(solara.AppLayout(children=[page()]), handle_error=False)
    try:
        yield rc
    finally:
        rc.close()


def text_of(rc, css_class: str) -> str:
    return rc.find(v.Html, class_=css_class).widget.children[0]


def button(rc, label: str):
    return rc.find(v.Btn, children=[label]).widget


def pictures(rc) -> dict[str, bytes]:
    """Each drawn picture's bytes, by its last CSS class (tk-network, tk-plots, …)."""
    return {w._dom_classes[-1]: bytes(w.value) for w in rc.find(ipywidgets.Image).widgets}


def errors_shown(rc) -> list:
    return rc.find(v.Alert, type="error").widgets


def html_table(rc, css_class: str) -> str:
    (table,) = [w for w in rc.find(solara.widgets.HTML).widgets if w.attributes.get("class") == css_class]
    return table.unsafe_innerHTML
