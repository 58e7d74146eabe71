"""Pieces every page uses: tables as plain HTML (readable, copyable, and what the browser
tests read), error boxes with the CLI's wording, figures, and the file choices."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import solara

from teachsim.dashboard.server import RESULTS_ENV

_TABLE_CSS = """
<style>
table.ts { border-collapse: collapse; font-size: 13px; margin: 4px 0 12px 0; }
table.ts caption { caption-side: top; text-align: left; font-weight: 600; padding: 4px 0; }
table.ts th, table.ts td { padding: 3px 8px; border-bottom: 1px solid #ddd; }
table.ts th { background: #f3f3f3; text-align: left; }
table.ts td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.ts td:first-child { white-space: nowrap; }
table.ts tr.total td { font-weight: 600; border-top: 1px solid #999; }
</style>
"""


def table_html(df: pd.DataFrame, caption: str = "", test_id: str = "",
               bold_rows: Sequence[int] = ()) -> str:
    """``df`` as an HTML table: text cells left, numbers right, every cell escaped."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for i, row in enumerate(df.itertuples(index=False)):
        cells = []
        for v in row:
            num = isinstance(v, int | float) and not isinstance(v, bool)
            text = f"{v:,.3g}" if isinstance(v, float) and abs(v) < 1000 else (
                f"{v:,.0f}" if isinstance(v, float) else str(v))
            cells.append(f'<td class="{"num" if num or _numeric(text) else ""}">'
                         f"{html.escape(text)}</td>")
        cls = ' class="total"' if i in bold_rows else ""
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    tid = f' data-testid="{html.escape(test_id)}"' if test_id else ""
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f'{_TABLE_CSS}<table class="ts"{tid}>{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _numeric(text: str) -> bool:
    t = text.replace("$", "").replace(",", "").replace("%", "").replace("-", "")
    t = t.replace("+", "").replace(".", "").replace(" ", "")
    return t.isdigit()


@solara.component
def Table(df: pd.DataFrame, caption: str = "", test_id: str = "",
          bold_rows: Sequence[int] = ()) -> None:
    solara.HTML(tag="div", unsafe_innerHTML=table_html(df, caption, test_id, bold_rows),
                style={"overflow-x": "auto"})


@solara.component
def ErrorBox(message: str) -> None:
    """A refusal in the CLI's words ("file: key 'k': problem / fix: ..."), kept on
    several lines."""
    solara.Error(children=[solara.Text(message, style={"white-space": "pre-wrap",
                                                       "font-family": "monospace"})],
                 classes=["ts-error"])


@solara.component
def Figure(fig: Any) -> None:
    """A matplotlib figure as a picture; closed once drawn so figures never pile up."""
    import matplotlib.pyplot as plt

    solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)


def config_dir() -> Path:
    from teachsim.config.paths import config_dir as built_in

    return built_in()


def scenario_choices() -> dict[str, Path]:
    """Built-in scenario files by label, then any in ./configs of the working directory."""
    found: dict[str, Path] = {}
    for root in (config_dir(), Path.cwd() / "configs"):
        if root.is_dir():
            for p in sorted(root.glob("*.toml")):
                found.setdefault(p.stem, p)
    return found


def results_choices() -> dict[str, Path]:
    """Results directories: the one given on the command line, then ./results/*."""
    found: dict[str, Path] = {}
    given = os.environ.get(RESULTS_ENV)
    if given:
        found[Path(given).name] = Path(given)
    root = Path.cwd() / "results"
    if root.is_dir():
        for p in sorted(root.iterdir()):
            if (p / "manifest.json").is_file():
                found.setdefault(p.name, p)
    return found
