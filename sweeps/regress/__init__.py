"""The regression gate: baselines, the check of a new sweep against one, its table.

``baseline`` records and reads a baseline, ``check`` compares two sets of runs cell by
cell, ``bench`` compares bench ratios with a recorded bench baseline, ``table`` formats
and writes the results. May import nncore, config, execute
(a check runs the spec), results and stats, never report or cli.
"""
