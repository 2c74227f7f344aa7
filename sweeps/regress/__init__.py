"""The regression gate: baselines, the check of a new sweep against one, its table.

``baseline`` records and reads a baseline, ``check`` compares two sets of runs cell by
cell (and bench figures), ``table`` formats and writes the result. May import execute
(a check runs the spec), results and stats, never report or cli.
"""
