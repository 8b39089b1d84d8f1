"""Calibration against the sources' patterns: pattern file, distance, ABC-SMC, checks, outputs.

`patterns` (the pattern file and how a pattern is measured and scored), `distance` (the
ABC distance), `spec` (the calibration experiment file), `simulator` (parameters -> the
patterns' statistics, runs through a sweep executor), `abc` (pyabc's ABC-SMC, resumable),
`checks` (posterior-predictive check, propagation to the headline comparison), `report`
(Parquet, plots, the calibrated scenario, Markdown) and `cli` (`tiaokuai calibrate`).
"""
