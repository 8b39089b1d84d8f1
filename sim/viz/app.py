"""The Solara page: the hierarchy, the live plots and the panel that drives them.

Served by `tiaokuai viz` (`solara run sim.viz.app`). Built from Solara components in the
shape of Mesa's `SolaraViz` (side panel of controls and parameters, main area of views,
Reset / Play / Step), but with its own panel, because this model is built from a
scenario file plus dotted-path levers rather than from keyword arguments: choosing a
preset loads its lever values into the panel, the seed box accepts only whole numbers,
and Reset rebuilds the model from what the panel shows. Mesa's `force_update` is called
after each step, so Mesa's own plot components can be added to the page and stay live.

With a scenario chosen under "Compare with" (or `tiaokuai viz A --compare B`), Reset builds
a `Comparison`: both scenarios on the same seed, stepped together by the same Step / Play,
each with its hierarchy and plots, under a strip of their paired differences.

Each browser tab has its own state (`use_reactive` inside the page).
"""

from __future__ import annotations

import html
import time
from pathlib import Path
from typing import Any

import solara
import solara.lab
from mesa.visualization.utils import force_update

from ..errors import InputError
from ..scenario_io import load_scenario
from .comparison import Comparison
from .difference_strip import SCALE, DifferenceCanvas, running_mean, shown as shown_difference
from .network import COLOURING_BY_NAME, COLOURINGS, NetworkCanvas, frame_of, most_loaded
from .panel import GROUPS, Lever, lever_labels, levers_for
from .plots import PlotsCanvas, latest
from .session import Session
from .settings import launch_settings, list_presets, parse_seed

PLAY_DELAY_MS = 150
MIN_PLAY_DELAY_MS = 50
LEVER_LABELS = lever_labels()
NO_COMPARISON = "(none)"
REBUILD_NOTE = (
    "Changing a lever, a preset or the seed takes effect at Reset, which rebuilds both sides "
    "from day 0 on the same seed: a half-run is never continued under a new setting."
)
COMPARE_WIDTH = 8.0  # inches: each side's figures in a comparison (half the page)
COMPARE_FORMAT = "jpeg"  # five pictures a frame: JPEG encodes several times faster than PNG


def scenario_label(path: Path) -> str:
    """What the page calls a scenario file, in the preset chooser and above the views
    alike: the scenario's own `name` (as `tiaokuai run` prints it), else the file stem."""
    try:
        return load_scenario(path).name.strip() or path.stem
    except (InputError, OSError):
        return path.stem


def with_choice(choices: dict[str, Path], path: Path, front: bool = False) -> tuple[dict[str, Path], str]:
    """The chooser with `path` in it (added at the top with `front`), and its entry's name;
    a name already taken gets the file's folder, then the whole path, in brackets."""
    path = path.resolve()
    for name, known in choices.items():
        if known == path:
            return choices, name
    name = scenario_label(path)
    for candidate in (name, f"{name} ({path.parent.name})", f"{name} ({path})"):
        if candidate not in choices:
            name = candidate
            break
    return ({name: path, **choices} if front else {**choices, name: path}), name


def preset_choices(presets_dir: Path, first: Path | None) -> tuple[dict[str, Path], str]:
    """Preset name -> file, and the name to open first: the scenario given on the command
    line, added at the top when it is not one of the presets."""
    choices: dict[str, Path] = {}
    for preset in list_presets(presets_dir):
        choices, _ = with_choice(choices, preset)
    if first is None:
        return choices, next(iter(choices), "")
    return with_choice(choices, first, front=True)


def open_choices(presets_dir: Path, first: Path | None, compare: Path | None) -> tuple[dict[str, Path], str, str]:
    """The chooser, the name to open first, and the name to compare it with ("" for none)."""
    choices, first_name = preset_choices(presets_dir, first)
    if compare is None:
        return choices, first_name, ""
    choices, other = with_choice(choices, compare)
    return choices, first_name, other


def describe(error: Exception) -> str:
    if isinstance(error, InputError):
        return "; ".join(str(p) for p in error.problems)
    return f"{type(error).__name__}: {error}"


@solara.component
def Page():
    launch = solara.use_memo(launch_settings, [])
    presets, first_name, first_other = solara.use_memo(
        lambda: open_choices(launch.presets_dir, launch.scenario, launch.compare), []
    )

    def panel_of(name: str):
        try:
            return levers_for(load_scenario(presets[name]))
        except (InputError, KeyError):
            return (), {}

    initial_levers, initial_values = solara.use_memo(lambda: panel_of(first_name), [])
    initial_other_levers, initial_other_values = solara.use_memo(
        lambda: panel_of(first_other) if first_other else ((), {}), []
    )
    preset = solara.use_reactive(first_name)
    levers = solara.use_reactive(initial_levers)
    values = solara.use_reactive(initial_values)
    other = solara.use_reactive(first_other)  # the scenario compared with, "" for none
    other_levers = solara.use_reactive(initial_other_levers)
    other_values = solara.use_reactive(initial_other_values)
    side = solara.use_reactive("left")  # whose levers the panel shows in a comparison
    seed_text = solara.use_reactive(str(launch.seed))
    playing = solara.use_reactive(False)
    tick = solara.use_reactive(0)  # bumped after every step: the views re-draw
    play_delay = solara.use_reactive(PLAY_DELAY_MS)
    days_per_frame = solara.use_reactive(1)
    colour_by = solara.use_reactive(COLOURINGS[0].name)  # what the hierarchy's colour shows

    def build(name: str, lever_values: dict, other_name: str, other_lever_values: dict, seed: int):
        """A Session, or a Comparison when a second scenario is chosen: from day 0."""
        if other_name:
            return Comparison.start(
                presets[name], presets[other_name], seed, lever_values, other_lever_values,
                names=(name, other_name),
            )
        return Session.start(presets[name], lever_values, seed, name=name)

    def first_session() -> tuple[Session | Comparison | None, str | None]:
        try:
            return build(first_name, initial_values, first_other, initial_other_values, launch.seed), None
        except (InputError, ValueError, KeyError) as exc:
            return None, f"could not open {first_name or 'a scenario'}: {describe(exc)}"

    initial, initial_error = solara.use_memo(first_session, [])
    session = solara.use_reactive(initial)
    error = solara.use_reactive(initial_error)
    applied = solara.use_reactive(choice(first_name, initial_values, first_other, initial_other_values, launch.seed))

    try:
        seed = parse_seed(seed_text.value)
        seed_error = None
    except ValueError as exc:
        seed, seed_error = None, str(exc)

    def chosen_panel(name: str) -> tuple[tuple[Lever, ...], dict[str, Any]] | None:
        """A chosen preset's levers and values for the panel; None, with the error shown,
        when its file is refused."""
        try:
            return levers_for(load_scenario(presets[name]))
        except InputError as exc:
            error.set(f"preset {name}: {describe(exc)}")
            return None

    def choose_preset(name: str) -> None:
        preset.set(name)
        panel = chosen_panel(name)
        if panel is not None:
            levers.set(panel[0])
            values.set(panel[1])

    def choose_other(name: str) -> None:
        if name == NO_COMPARISON or not name:
            other.set("")
            side.set("left")
            return
        panel = chosen_panel(name)
        if panel is not None:
            other.set(name)
            other_levers.set(panel[0])
            other_values.set(panel[1])

    def set_lever(path: str, value: Any) -> None:
        values.set({**values.value, path: value})

    def set_other_lever(path: str, value: Any) -> None:
        other_values.set({**other_values.value, path: value})

    def reset() -> None:
        playing.set(False)
        if seed_error is not None:
            error.set(f"Reset refused: {seed_error}")
            return
        try:
            new = build(preset.value, values.value, other.value, other_values.value, seed)
        except (InputError, ValueError) as exc:
            error.set(f"Reset refused: {describe(exc)}")
            return
        error.set(None)
        session.set(new)
        applied.set(choice(preset.value, values.value, other.value, other_values.value, seed))
        tick.set(0)

    def step() -> None:
        current = session.value
        if current is None:
            return
        try:
            current.step(min(days_per_frame.value, max(current.horizon - current.day, 1)))
        except Exception as exc:  # a model failure must show, not kill the page
            playing.set(False)
            error.set(f"step failed on day {current.day + 1}: {describe(exc)}")
        tick.set(tick.value + 1)
        force_update()

    def play_loop() -> None:
        # Sleep before each frame, always: the pause lets the server send the last frame
        # to the browser and take in clicks (Pause, Reset) between frames.
        playing_session = session.value
        while playing.value and playing_session is not None and session.value is playing_session:
            if playing_session.finished:
                break
            time.sleep(max(play_delay.value, MIN_PLAY_DELAY_MS) / 1000)
            if not playing.value or session.value is not playing_session:
                return
            step()
        playing.set(False)

    solara.lab.use_task(play_loop, dependencies=[playing.value], prefer_threaded=True)

    pending = choice(preset.value, values.value, other.value, other_values.value, seed) != applied.value

    solara.Title("tiaokuai")
    with solara.AppBar():
        solara.AppBarTitle("tiaokuai: work flowing down the hierarchy")
    with solara.Sidebar():
        RunCard(session.value, tick.value, playing, days_per_frame, play_delay, reset, step,
                can_reset=seed_error is None)
        with solara.Card("Scenario"):
            solara.Select("Preset", values=list(presets), value=preset.value, on_value=choose_preset)
            solara.Select(
                "Compare with", values=[NO_COMPARISON, *presets], value=other.value or NO_COMPARISON,
                on_value=choose_other, classes=["tk-compare-with"],
            )
            solara.InputText(
                "Seed (whole number)",
                value=seed_text,
                continuous_update=True,
                error=seed_error or False,
                classes=["tk-seed"],
            )
            if other.value:
                solara.Text("Both sides run on this seed. " + REBUILD_NOTE, style={"font-size": "0.85em"})
            if pending:
                solara.Info("The panel differs from the running model: press Reset to apply.", dense=True)
        if other.value:
            with solara.Card("Levers of"):
                solara.ToggleButtonsSingle(value=side, values=["left", "right"], classes=["tk-side"])
                shown_name = preset.value if side.value == "left" else other.value
                solara.Text(f"the {side.value} side: {shown_name}", classes=["tk-side-name"])
        if other.value and side.value == "right":
            LeverCards(other_levers.value, other_values.value, set_other_lever)
        else:
            LeverCards(levers.value, values.value, set_lever)

    if error.value:
        solara.Error(error.value, classes=["tk-error"])
    if isinstance(session.value, Comparison):
        ComparisonViews(session.value, tick.value, colour_by)
    elif session.value is not None:
        Views(session.value, tick.value, colour_by)


@solara.component
def RunCard(
    session: Session | Comparison | None, tick: int, playing, days_per_frame, play_delay, reset, step, can_reset: bool
):
    """The day counter, Reset / Play / Step, and how fast Play runs."""
    with solara.Card("Run"):
        if session is None:
            solara.Text("no model", classes=["tk-day"])
        else:
            solara.Text(f"Day {session.day} of {session.horizon}", classes=["tk-day"], style={"font-size": "1.2em"})
        with solara.Row(justify="space-between"):
            solara.Button("Reset", color="primary", on_click=reset, disabled=not can_reset)
            solara.Button(
                "Pause" if playing.value else "Play",
                color="primary",
                on_click=lambda: playing.set(not playing.value),
                disabled=session is None or (session.finished and not playing.value),
            )
            solara.Button("Step", color="primary", on_click=step, disabled=playing.value or session is None)
        with solara.Column(gap="0px", classes=["tk-days-per-frame"]):
            solara.Text(f"Days per Step or Play frame: {days_per_frame.value}", style={"font-size": "0.9em"})
            solara.SliderInt("", value=days_per_frame, min=1, max=25, thumb_label=False)
        with solara.Column(gap="0px", classes=["tk-play-delay"]):
            solara.Text(f"Pause between frames when playing: {play_delay.value} ms", style={"font-size": "0.9em"})
            solara.SliderInt("", value=play_delay, min=0, max=1000, step=50, thumb_label=False)


@solara.component
def LeverCards(levers: tuple[Lever, ...], values: dict[str, Any], set_lever):
    """The levers in cards by group (`panel.GROUPS`): the regime's open, the rest folded
    (click a title to open it); every lever the schema has is in one of them."""
    with solara.Card("Levers", classes=["tk-levers"]):
        for group, title in GROUPS:
            shown = [lever for lever in levers if lever.group == group]
            if not shown:
                continue
            with solara.Details(summary=f"{title} ({len(shown)})", expand=group == "regime"):
                with solara.Column(gap="6px", classes=[f"tk-levers-{group}"]):
                    for lever in shown:
                        LeverControl(lever, values.get(lever.path), set_lever)


@solara.component
def LeverControl(lever: Lever, value: Any, set_lever):
    def on_value(new):
        set_lever(lever.path, new)

    if lever.kind == "bool":
        solara.Switch(label=lever.label, value=bool(value), on_value=on_value)
        return
    if lever.optional:
        # a field that may be absent: a switch sets it (to where its slider starts) or clears it
        def on_set(on: bool):
            set_lever(lever.path, lever.start if on else None)

        with solara.Column(gap="0px"):
            solara.Switch(label=f"{lever.label}: {'set' if value is not None else lever.absent}",
                          value=value is not None, on_value=on_set)
            if value is not None:
                Slider(lever, value, on_value)
        return
    with solara.Column(gap="0px"):
        Slider(lever, value, on_value)


@solara.component
def Slider(lever: Lever, value: Any, on_value):
    """A labelled slider with the lever's value in its label."""
    if lever.kind == "int":
        shown = f"{int(value)}"
    else:
        shown = f"{float(value):.2f}" if lever.step >= 0.01 else f"{float(value):.4g}"
    solara.Text(f"{lever.label}: {shown}", style={"font-size": "0.9em"})
    if lever.kind == "int":
        solara.SliderInt(
            "", value=int(value), min=int(lever.low), max=int(lever.high), step=int(lever.step),
            on_value=on_value, thumb_label=False,
        )
    else:
        solara.SliderFloat(
            "", value=float(value), min=lever.low, max=lever.high, step=lever.step,
            on_value=on_value, thumb_label=False,
        )


@solara.component
def ColourChooser(colour_by):
    """What the hierarchy's colour shows: load, or a behaviour's state (a view choice: no Reset)."""
    solara.Select("Colour the hierarchy by", values=[c.name for c in COLOURINGS], value=colour_by,
                  classes=["tk-colour-by"], style={"max-width": "260px"})


@solara.component
def Views(session: Session, tick: int, colour_by):
    """The network of the hierarchy over the live plots, redrawn when `tick` moves."""
    model = session.model
    scenario = session.scenario
    with_stations = "station" in session.layout.row_y
    colouring = COLOURING_BY_NAME.get(colour_by.value, COLOURINGS[0])
    network_canvas = solara.use_memo(lambda: NetworkCanvas(session.layout, colouring=colouring),
                                     [session, colouring])
    plots_canvas = solara.use_memo(lambda: PlotsCanvas(session.horizon, with_stations), [session])

    def network_frame():
        frame = frame_of(model, session.layout, colouring)
        return network_canvas.render(frame), most_loaded(session.layout, frame)

    def plots_png() -> bytes:
        return plots_canvas.render(session.history)

    network_image, busiest = solara.use_memo(network_frame, [session, tick, colouring])
    plots_image = solara.use_memo(plots_png, [session, tick])
    newest = latest(session.history, with_stations)

    with solara.Column(gap="8px"):
        with solara.Row(gap="6px", style={"align-items": "baseline", "flex-wrap": "wrap"}):
            solara.Text(f"{session.name}, seed {session.seed}", classes=["tk-running"],
                        style={"font-weight": "bold"})
            solara.Text(scenario.description.strip())
        if session.changed:
            solara.Text(changes_text(session), classes=["tk-changes"])
        ColourChooser(colour_by)
        solara.Image(network_image, width="100%", classes=["tk-network"])
        solara.Image(plots_image, width="100%", classes=["tk-plots"])
        with solara.Row(gap="4px"):
            solara.Text("Plotted days:")
            solara.Text(str(len(model.history)), classes=["tk-plotted-days"])
        if newest.rows:
            with solara.Row(gap="32px", style={"flex-wrap": "wrap", "align-items": "flex-start"}):
                Table(f"on day {newest.day}", newest.rows, "tk-latest")
                if busiest:
                    Table(
                        "most loaded: days queued, backlog",
                        [(label, f"{load:.1f} d, {backlog:,.0f} h") for label, load, backlog in busiest],
                        "tk-busiest",
                    )


@solara.component
def ComparisonViews(comparison: Comparison, tick: int, colour_by):
    """Two sides on one seed, each with its hierarchy and plots, over the difference strip."""
    colouring = COLOURING_BY_NAME.get(colour_by.value, COLOURINGS[0])
    series = comparison.difference_series()
    strip = solara.use_memo(
        lambda: DifferenceCanvas(series, comparison.horizon, (comparison.left.name, comparison.right.name),
                                 image_format=COMPARE_FORMAT),
        [comparison],
    )
    strip_image = solara.use_memo(lambda: strip.render(comparison), [comparison, tick])
    check = comparison.world_check()

    with solara.Column(gap="8px"):
        solara.Text(
            f"Seed {comparison.seed}: {comparison.left.name} (left) beside {comparison.right.name} (right), "
            "stepped together from day 0.",
            classes=["tk-compare-title"], style={"font-weight": "bold"},
        )
        solara.Text(REBUILD_NOTE, classes=["tk-rebuild-note"], style={"font-size": "0.9em"})
        solara.Text(
            check.sentence(), classes=["tk-world-check", "tk-same-world" if check.same else "tk-different-world"],
            style={"color": "#1b7837" if check.same else "#b2182b", "font-weight": "bold"},
        )
        ColourChooser(colour_by)
        with solara.Columns([1, 1], wrap=False):
            SideView(comparison.left, comparison.drawn[0], tick, "left", comparison.right, colouring)
            SideView(comparison.right, comparison.drawn[1], tick, "right", comparison.left, colouring)
        solara.Image(strip_image, width="100%", format=COMPARE_FORMAT, classes=["tk-difference"])
        rows = []
        for key, label, kind in series:
            values = comparison.differences(key) * SCALE.get(kind, 1.0)
            if values.size:
                today, mean = shown_difference(values[-1], kind), shown_difference(running_mean(values)[-1], kind)
                rows.append((label, f"{today} (mean {mean})"))
        if rows:
            with solara.Row():
                Table(f"right \u2212 left on day {comparison.day} (mean since day 1)", rows, "tk-differences")


@solara.component
def SideView(session: Session, drawn, tick: int, side: str, other: Session, colouring=COLOURINGS[0]):
    """One side of a comparison: its name, what its world produced, its hierarchy and plots
    (on the same y scales as the `other` side's, so the two can be compared by eye)."""
    model = session.model
    with_stations = "station" in session.layout.row_y
    network_canvas = solara.use_memo(
        lambda: NetworkCanvas(session.layout, width=COMPARE_WIDTH, image_format=COMPARE_FORMAT, colouring=colouring),
        [session, colouring],
    )
    plots_canvas = solara.use_memo(
        lambda: PlotsCanvas(session.horizon, with_stations, width=COMPARE_WIDTH, image_format=COMPARE_FORMAT),
        [session],
    )
    network_image = solara.use_memo(
        lambda: network_canvas.render(frame_of(model, session.layout, colouring)), [session, tick, colouring]
    )
    plots_image = solara.use_memo(
        lambda: plots_canvas.render(session.history, scale_with=(other.history,)), [session, tick]
    )
    last = drawn[-1] if drawn else None
    with solara.Column(gap="4px"):
        solara.Text(f"{side}: {session.name}, seed {session.seed}", classes=[f"tk-running-{side}"],
                    style={"font-weight": "bold"})
        if session.changed:
            solara.Text(changes_text(session), classes=[f"tk-changes-{side}"], style={"font-size": "0.9em"})
        with solara.Row(gap="4px", style={"flex-wrap": "wrap", "font-size": "0.9em"}):
            solara.Text("new tasks today:")
            solara.Text(str(last.tasks_today) if last else "0", classes=[f"tk-tasks-today-{side}"])
            solara.Text("\u00b7 in all:")
            solara.Text(f"{last.tasks_total:,}" if last else "0", classes=[f"tk-tasks-total-{side}"])
            if last is None or last.effort_total is not None:
                solara.Text("\u00b7 effort drawn so far:")
                solara.Text("0" if last is None else f"{last.effort_total:,.1f}", classes=[f"tk-effort-{side}"])
                solara.Text("staff-hours")
        solara.Image(network_image, width="100%", format=COMPARE_FORMAT, classes=[f"tk-network-{side}"])
        solara.Image(plots_image, width="100%", format=COMPARE_FORMAT, classes=[f"tk-plots-{side}"])
        with solara.Row(gap="4px"):
            solara.Text("Plotted days:")
            solara.Text(str(len(model.history)), classes=[f"tk-plotted-days-{side}"])


def choice(name: str, lever_values: dict, other_name: str, other_values: dict, seed: int | None) -> tuple:
    """What Reset builds from, comparable with what it built last (pending changes)."""
    return (name, dict(lever_values), other_name, dict(other_values) if other_name else {}, seed)


def changes_text(session: Session) -> str:
    return "Changed from the file: " + ", ".join(
        f"{LEVER_LABELS.get(path, path)} = {_shown(value)}" for path, value in session.changed.items()
    )


@solara.component
def Table(caption: str, rows, css_class: str):
    """Label-value rows as a plain HTML table (solara.Markdown would fetch KaTeX from the
    network, which an offline machine cannot)."""
    body = "".join(
        f"<tr><td>{html.escape(label)}</td><td style='text-align:right'>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    solara.HTML(
        tag="table",
        unsafe_innerHTML=f"<caption style='text-align:left'>{html.escape(caption)}</caption>{body}",
        classes=[css_class],
        style="border-spacing: 16px 2px; font-size: 0.9em; width: auto",
    )


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
