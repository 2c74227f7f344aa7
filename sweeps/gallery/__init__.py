"""The gallery: classic experiments, each a spec and a page of findings.

``pages`` lists the entries, runs them and writes their markdown pages; ``kit`` holds the
sentences and tables the entries share; one module per entry draws its figures and
states its findings. May import everything below cli.
"""
