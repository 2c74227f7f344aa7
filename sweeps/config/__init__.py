"""Configuration: a spec file becomes a table of runs.

``load`` finds and reads a TOML file (or a bundled spec by name), ``overrides`` applies
command-line ``KEY=VALUE`` changes to it, ``spec`` checks it into
a :class:`SweepSpec` with the field checks of ``fields``, ``sampling`` draws random-search
points, ``params`` turns nncore's rulebook into spec checks, ``tasks`` reads and prepares a
spec's own data (``[tasks.NAME]``: files, generators, holdout, scaling), and ``grid``
expands a spec into one row per run with its run id (and counts the runs, ``n_runs``),
then into populations and chunks. Imports nncore only: nothing here knows how runs are
executed or stored.
"""
