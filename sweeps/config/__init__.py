"""Configuration: a spec file becomes a table of runs.

``spec`` reads TOML into a checked :class:`SweepSpec`, ``sampling`` draws random-search
points, ``params`` turns nncore's rulebook into spec checks, and ``grid`` expands a spec
into one row per run with its run id, then into populations and chunks. Imports nncore
only: nothing here knows how runs are executed or stored.
"""
