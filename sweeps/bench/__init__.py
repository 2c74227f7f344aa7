"""Benchmarks that print figures: the population trainer and whole sweeps.

``trainer`` times the population trainer against a per-network loop; ``sweep`` times a
whole sweep end to end at -j 1 and -j 2. May import nncore and results.
"""
