"""The gallery entries' analyses, one module per entry, and their shared kit."""
