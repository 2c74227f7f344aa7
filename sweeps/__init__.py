"""sweeps: run grids of nncore trainings and report how they converged."""
