"""What the tests share, and what benchmarks may import too.

- `cities`: the shipped presets, the small city the mechanism tests run, and `TINY`, the
  overrides that shrink a sweep's city to a handful of offices;
- `paired`: common-random-number comparisons and their confidence intervals;
- `queueing`: independent queueing theory (no model import) for the verification tests;
- `gated_sweep`: the sweep command with runs held at a gate, to interrupt a sweep mid-way;
- `tiny_world`: a World of one department, one street and one committee, for rule tests.

Benchmarks import it with the repository root on `sys.path`
(`sys.path.insert(0, str(Path(__file__).resolve().parents[1]))`).
"""
