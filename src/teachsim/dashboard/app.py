"""The dashboard's pages, as Solara routes (the server loads this module by name)."""

from __future__ import annotations

import solara
import solara.lab

from teachsim.dashboard import budget, compare, explorer, schedule


@solara.component
def Layout(children: list[solara.Element] | None = None) -> None:
    """The title and the pages' tabs (named, not by path) across the top; the page
    below."""
    _, pages = solara.use_route()
    with solara.AppLayout(title="teachsim"):
        with solara.AppBar(), solara.lab.Tabs(align="center"):
            for route in pages:
                solara.lab.Tab(route.label, path_or_route=route)
        for child in children or []:
            solara.display(child)


#: the pages. Solara draws the first route's layout around every page (and ignores a
#: module-level Layout when the module lists its routes).
routes = [
    solara.Route(path="/", component=budget.Page, label="Budget what-if", layout=Layout),
    solara.Route(path="schedule", component=schedule.Page, label="Schedule designer"),
    solara.Route(path="compare", component=compare.Page, label="Run and compare"),
    solara.Route(path="results", component=explorer.Page, label="Results explorer"),
]
