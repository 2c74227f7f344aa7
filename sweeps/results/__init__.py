"""Results on disk: the schema of runs.csv and the files of a results directory.

``schema`` names the columns and reads runs.csv, ``chunkfiles`` formats chunk files,
``store`` owns a results directory while a sweep writes it (lock, manifest, chunks,
assembled outputs) and ``read`` loads a finished directory for reports. May import
config (the parameter columns) and nncore, nothing that trains or draws.
"""
