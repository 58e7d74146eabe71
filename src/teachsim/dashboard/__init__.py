"""The dashboard: a Solara app over the package's functions, served on this machine only.

Four pages (:mod:`teachsim.dashboard.app`): the budget what-if, the schedule designer,
run and compare, and the results explorer. Each page module keeps its logic in plain
functions (tested without a browser) and its layout in one Solara component, ``Page``.
The dashboard sits above the analysis layer and below the CLI: it reads configurations,
runs the model, prices budgets and draws through the same functions as the command line,
so a figure on a page is the figure ``teachsim`` prints.
"""
