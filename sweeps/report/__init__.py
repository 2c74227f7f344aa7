"""Reports: plots, headline sentences, explanations and report.html.

``write`` is the entry point (``write_report``), ``plots`` the single plot functions,
``figures``/``heatmaps``/``diagnostics`` lay them out per facet, ``html`` writes the
page, ``headline`` and ``explain`` the sentences, ``style`` labels and palettes and
``boundary`` decision-boundary panels. ``write`` imports the figures, the figures import
``plots``, never the reverse. May import nncore, config, results and stats, never
execute or regress.
"""
