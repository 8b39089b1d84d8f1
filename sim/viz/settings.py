"""How the command line hands its choices to the app: environment variables and defaults.

`solara run` imports the app in a fresh process, so the scenario, the one to compare it
with, the seed and the preset folder travel as environment variables. This module is light (no Solara, no model) so the
command line can use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_SCENARIO = "TIAOKUAI_VIZ_SCENARIO"
ENV_SEED = "TIAOKUAI_VIZ_SEED"
ENV_PRESETS = "TIAOKUAI_VIZ_PRESETS"
ENV_COMPARE = "TIAOKUAI_VIZ_COMPARE"

DEFAULT_SEED = 0
"""The same default as `tiaokuai run` and `TiaokuaiModel` (a test holds them together)."""
MAX_SEED = 2**63 - 1
PREFERRED_PRESET = "unlimited-responsibility.yaml"


@dataclass(frozen=True)
class LaunchSettings:
    """What the app opens with."""

    presets_dir: Path
    scenario: Path | None
    seed: int
    compare: Path | None = None  # the second scenario of a side-by-side comparison


def default_presets_dir() -> Path:
    """`scenarios/` in the working directory, else the one next to the package."""
    here = Path.cwd() / "scenarios"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "scenarios"


def list_presets(presets_dir: Path) -> list[Path]:
    """The scenario files offered by the preset chooser: top-level *.yaml, by name."""
    if not presets_dir.is_dir():
        return []
    return sorted(p for p in presets_dir.glob("*.yaml") if p.is_file())


def default_scenario(presets_dir: Path) -> Path | None:
    presets = list_presets(presets_dir)
    for p in presets:
        if p.name == PREFERRED_PRESET:
            return p
    return presets[0] if presets else None


def launch_settings(environ: dict[str, str] | None = None) -> LaunchSettings:
    """Read the settings the command line left in the environment (or the defaults)."""
    env = os.environ if environ is None else environ
    presets_dir = Path(env[ENV_PRESETS]) if env.get(ENV_PRESETS) else default_presets_dir()
    scenario = Path(env[ENV_SCENARIO]) if env.get(ENV_SCENARIO) else default_scenario(presets_dir)
    try:
        seed = int(env.get(ENV_SEED, DEFAULT_SEED))
    except ValueError:
        seed = DEFAULT_SEED
    compare = Path(env[ENV_COMPARE]) if env.get(ENV_COMPARE) else None
    return LaunchSettings(presets_dir=presets_dir, scenario=scenario, seed=seed, compare=compare)


def parse_seed(text: str) -> int:
    """A seed typed by a user: a whole number from 0 to MAX_SEED, or ValueError saying why."""
    cleaned = str(text).strip()
    if not cleaned:
        raise ValueError("enter a seed: a whole number such as 7")
    if not cleaned.isdecimal() or not cleaned.isascii():
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}, not {text.strip()!r}")
    value = int(cleaned)
    if value > MAX_SEED:
        raise ValueError(f"seed must be at most {MAX_SEED}")
    return value
