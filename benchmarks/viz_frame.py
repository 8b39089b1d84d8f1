"""What a frame of the interactive app costs, for the district and the city-scale preset.

In-process (always): building the model and its layout, one simulated day, reading the
frame, drawing the network and the plots. In a real browser (when the system Chromium is
there; skip with --no-browser): time from opening the page to the first drawn network
("first paint"), and from a click on Step to the new day on screen.

With --compare, the same for two regimes side by side (`tiaokuai viz A --compare B`): a
frame is both days, both sides' pictures and the difference strip; a Step counts as on
screen when both sides show the new day. Pairs: unlimited-responsibility beside
admission-list (district), and city-scale beside city-scale with both admission lists.

    .venv/bin/python benchmarks/viz_frame.py                   # both presets
    .venv/bin/python benchmarks/viz_frame.py scenarios/x.yaml --frames 40 --no-browser
    .venv/bin/python benchmarks/viz_frame.py --compare         # the two comparisons
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.viz.app import COMPARE_FORMAT, COMPARE_WIDTH  # noqa: E402
from sim.viz.browser import find_chromium, launch_chromium, viz_server  # noqa: E402
from sim.viz.comparison import Comparison  # noqa: E402
from sim.viz.difference_strip import DifferenceCanvas  # noqa: E402
from sim.viz.network import NetworkCanvas, frame_of  # noqa: E402
from sim.viz.plots import PlotsCanvas  # noqa: E402
from sim.viz.session import Session  # noqa: E402

DEFAULT_PRESETS = ("scenarios/unlimited-responsibility.yaml", "scenarios/city-scale.yaml")
CITY_WITH_LISTS = """extends: {city}
name: city-scale with admission lists
levers:
  street_gate: {{enabled: true, compliance: 1.0, review_days: 0}}
  committee_gate: {{enabled: true, compliance: 1.0, review_days: 0}}
"""


def default_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """District: the baseline beside admission lists; city: city-scale beside itself with
    both admission lists (a file written into `folder`)."""
    city = ROOT / "scenarios" / "city-scale.yaml"
    city_lists = folder / "city-scale-admission-list.yaml"
    city_lists.write_text(CITY_WITH_LISTS.format(city=city))
    return [
        (ROOT / "scenarios" / "unlimited-responsibility.yaml", ROOT / "scenarios" / "admission-list.yaml"),
        (city, city_lists),
    ]


def compare_in_process(left: Path, right: Path, frames: int, seed: int) -> dict[str, float]:
    began = time.perf_counter()
    comparison = Comparison.start(left, right, seed)
    built = time.perf_counter() - began
    began = time.perf_counter()
    sides = [
        (side, NetworkCanvas(side.layout, width=COMPARE_WIDTH, image_format=COMPARE_FORMAT),
         PlotsCanvas(side.horizon, "station" in side.layout.row_y, width=COMPARE_WIDTH, image_format=COMPARE_FORMAT))
        for side in comparison.sides
    ]
    strip = DifferenceCanvas(comparison.difference_series(), comparison.horizon, image_format=COMPARE_FORMAT)
    canvases = time.perf_counter() - began
    timings: dict[str, list[float]] = {"both days": [], "both sides drawn": [], "strip": [], "frame": []}
    for _ in range(frames):
        t0 = time.perf_counter()
        comparison.step()
        t1 = time.perf_counter()
        for (side, network, plots), (other, _, _) in zip(sides, sides[::-1]):
            network.render(frame_of(side.model, side.layout))
            plots.render(side.history, scale_with=(other.history,))
        t2 = time.perf_counter()
        strip.render(comparison)
        comparison.world_check()
        t3 = time.perf_counter()
        for key, value in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
            timings[key].append(value)
    out = {
        "offices per side": len(comparison.left.model.offices),
        "nodes per side": comparison.left.layout.n_nodes,
        "build both models + layouts": built,
        "build canvases": canvases,
    }
    for key, values in timings.items():
        out[f"{key} median"] = statistics.median(values)
        out[f"{key} max"] = max(values)
    return out


def compare_in_browser(left: Path, right: Path, steps: int, seed: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with viz_server(left, seed=seed, timeout=120, extra_args=("--compare", str(right))) as server, \
            sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1700, "height": 1300})
            began = time.perf_counter()
            page.goto(server.url)
            for picture in (".tk-network-left", ".tk-network-right", ".tk-difference"):
                page.locator(picture).first.wait_for(timeout=120_000)
            first_paint = time.perf_counter() - began
            step_times = []
            step = page.get_by_role("button", name="Step", exact=True)
            for n in range(1, steps + 1):
                began = time.perf_counter()
                step.click()
                page.wait_for_function(
                    "n => ['left', 'right'].every(s => document.querySelector('.tk-plotted-days-' + s)"
                    "?.innerText.trim() === String(n)) && document.querySelector('.tk-differences')"
                    "?.innerText.includes('on day ' + n)",
                    arg=n, timeout=60_000,
                )
                step_times.append(time.perf_counter() - began)
        finally:
            browser.close()
    return {
        "server ready": server.seconds_to_serve,
        "first paint": first_paint,
        "step on screen median": statistics.median(step_times),
        "step on screen max": max(step_times),
    }


def in_process(path: Path, frames: int, seed: int) -> dict[str, float]:
    began = time.perf_counter()
    session = Session.start(path, {}, seed)
    built = time.perf_counter() - began
    began = time.perf_counter()
    network = NetworkCanvas(session.layout)
    plots = PlotsCanvas(session.horizon, "station" in session.layout.row_y)
    canvases = time.perf_counter() - began
    timings: dict[str, list[float]] = {"step": [], "read": [], "network": [], "plots": [], "frame": []}
    for _ in range(frames):
        t0 = time.perf_counter()
        session.step()
        t1 = time.perf_counter()
        frame = frame_of(session.model, session.layout)
        t2 = time.perf_counter()
        network.render(frame)
        t3 = time.perf_counter()
        plots.render(session.history)
        t4 = time.perf_counter()
        for key, value in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)):
            value and timings[key].append(value)
    out = {
        "offices": len(session.model.offices),
        "nodes": session.layout.n_nodes,
        "build model + layout": built,
        "build canvases": canvases,
    }
    for key, values in timings.items():
        out[f"{key} median"] = statistics.median(values)
        out[f"{key} max"] = max(values)
    return out


def in_browser(path: Path, steps: int, seed: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with viz_server(path, seed=seed, timeout=120) as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            began = time.perf_counter()
            page.goto(server.url)
            page.locator(".tk-network").wait_for(timeout=120_000)
            first_paint = time.perf_counter() - began
            step_times = []
            step = page.get_by_role("button", name="Step", exact=True)
            for n in range(1, steps + 1):
                began = time.perf_counter()
                step.click()
                page.wait_for_function(
                    "n => document.querySelector('.tk-plotted-days')?.innerText.trim() === String(n)",
                    arg=n, timeout=60_000,
                )
                step_times.append(time.perf_counter() - began)
            day = re.search(r"Day (\d+)", page.locator(".tk-day").inner_text())
            assert day and int(day.group(1)) == steps
        finally:
            browser.close()
    return {
        "server ready": server.seconds_to_serve,
        "first paint": first_paint,
        "step on screen median": statistics.median(step_times),
        "step on screen max": max(step_times),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=[p for p in DEFAULT_PRESETS if (ROOT / p).exists()])
    parser.add_argument("--frames", type=int, default=25, help="frames drawn in-process per preset")
    parser.add_argument("--steps", type=int, default=8, help="Step clicks in the browser per preset")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-browser", action="store_true", help="skip the real-browser timings")
    parser.add_argument("--compare", action="store_true",
                        help="measure two regimes side by side (district and city pairs) instead")
    args = parser.parse_args(argv)
    browser = not args.no_browser and find_chromium() is not None
    if not args.no_browser and not browser:
        print("note: no system Chromium, so no browser timings (install Debian's `chromium`)")
    if args.compare:
        with tempfile.TemporaryDirectory() as folder:
            for left, right in default_pairs(Path(folder)):
                print(f"== {left.stem} beside {right.stem}")
                for key, value in compare_in_process(left, right, args.frames, args.seed).items():
                    print(f"  {key:30s} {value:9.3f}{'' if 'per side' in key else ' s'}")
                if browser:
                    for key, value in compare_in_browser(left, right, args.steps, args.seed).items():
                        print(f"  {key:30s} {value:9.3f} s  (browser)")
        return 0
    for name in args.scenarios:
        path = (ROOT / name) if not Path(name).is_absolute() else Path(name)
        print(f"== {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        for key, value in in_process(path, args.frames, args.seed).items():
            print(f"  {key:26s} {value:9.3f}{'' if key in ('offices', 'nodes') else ' s'}")
        if browser:
            for key, value in in_browser(path, args.steps, args.seed).items():
                print(f"  {key:26s} {value:9.3f} s  (browser)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
