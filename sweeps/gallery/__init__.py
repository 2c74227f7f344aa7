"""The gallery: classic experiments, each a spec and a page of findings.

``entries`` lists the entries and their specs, ``pages`` runs them and writes their
markdown pages and the index; ``kit`` holds the sentences and tables the entries share;
one module per entry draws its figures and states its findings. May import everything below cli.
"""
