"""Statistics of runs: censoring-aware survival, comparisons, plateaus, levels.

``survival`` has Kaplan-Meier medians, restricted means and Wilson intervals per cell,
``compare`` the pairwise differences between an axis' levels, ``plateau`` the
loss-curve plateau columns and ``levels`` the helpers that pick and label axis levels.
Pure functions of tables and arrays: may import nncore and config, nothing above.
"""
