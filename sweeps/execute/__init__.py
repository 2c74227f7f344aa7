"""Execution: train the chunks of a sweep, locally or on Dask, and resume.

``runner`` drives a sweep (expand, skip finished chunks, dispatch, assemble), ``chunk``
trains one chunk as nncore populations, ``schedule`` orders chunks longest first,
``workers`` starts the local process pool early, ``cluster`` connects to Dask and
``estimate`` predicts a sweep's cost. May import config, results and stats (the
plateau columns are computed per chunk), never report or above.
"""
