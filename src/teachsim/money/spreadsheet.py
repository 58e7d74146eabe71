"""Budgets as files a grant writer can paste from: a spreadsheet (.xlsx) or CSV files.

The spreadsheet has, per budget (one per experiment arm): the grant budget's expected,
low and high versions (budget lines as rows, fiscal years as columns; subtotals, net,
ask, cumulative ask, share and totals are spreadsheet formulas, with their values cached
so a reader that does not recalculate still shows them), the neutrality verdicts per
school and year, the assumptions with their sources, the ledger (one run) or each
replication's totals (several), and notes. Every sheet prints landscape, one page wide,
with its header row repeated. The CSV files carry the same tables, one file each.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any

import numpy as np

from teachsim.experiments.atomic import atomic_file, check_file_target, safe_name
from teachsim.model.records import Table
from teachsim.money.budget import Budget
from teachsim.money.grant import GrantSheet

#: tidy tables' money columns, share columns and plain labels
MONEY = {"investments", "trade_offs", "net_impact", "net_impact_low", "net_impact_high",
         "misses_by", "simulated_operating_costs", "teacher_payroll", "amount",
         "amount_low", "amount_high", "net_cost_expected", "net_cost_low", "net_cost_high",
         "philanthropic_ask"}
SHARE = {"share_budget_neutral"}
LABELS = {"school_id": "School id", "fiscal_year": "Fiscal year",
          "replications_on_policy": "Replications on the policy",
          "net_impact": "Net", "net_impact_low": "Net, low", "net_impact_high": "Net, high",
          "share_budget_neutral": "Share budget-neutral", "misses_by": "Misses by",
          "amount_low": "Amount, low payroll load", "amount_high": "Amount, high payroll load",
          "run_id": "Run id", "net_cost_expected": "Net cost (expected payroll load)",
          "net_cost_low": "Net cost (low payroll load)",
          "net_cost_high": "Net cost (high payroll load)",
          "simulated_operating_costs": "Simulated operating costs",
          "teacher_payroll": "Teacher payroll"}
#: columns of long text, wrapped at these widths (characters)
WRAPPED = {"note": 95, "description": 48, "source": 44, "key": 34}
#: the first row of a grant sheet's table (rows above it: title, basis, price basis)
FIRST = 4


def label(col: str) -> str:
    """A column's header: plain words, with its unit."""
    text = LABELS.get(col, col.replace("_", " ").capitalize())
    return f"{text} ($)" if col in MONEY else text


def _cell(v: object) -> object:
    if isinstance(v, np.generic):
        return v.item()
    return v


def sheet_names(names: list[str]) -> list[str]:
    """Excel sheet names for ``names``: without the characters Excel forbids, at most 31
    characters, distinct (case-insensitively, as Excel compares them)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'") or "sheet"
        candidate, k = base[:31], 2
        while candidate.lower() in seen:
            suffix = f" ({k})"
            candidate, k = base[:31 - len(suffix)] + suffix, k + 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out


#: tables too long to print that only the CSV export carries (a district's ledger is a
#: row per school, year and line: 12,000 rows, 150 printed pages)
CSV_ONLY = ("ledger",)


def _parts(budgets: list[Budget], xlsx: bool = False) -> list[tuple[str, GrantSheet | Table]]:
    """(name, content) of every sheet, in order."""
    parts: list[tuple[str, GrantSheet | Table]] = []
    for b in budgets:
        prefix = f"{b.arm} " if len(budgets) > 1 else ""
        for sheet in b.grant.sheets:
            parts.append((f"{prefix}budget {sheet.version}", sheet))
        for name, table in b.tables.items():
            if not (xlsx and name in CSV_ONLY):
                parts.append((f"{prefix}{name}", table))
    notes = [n for b in budgets for n in [b.title, *b.notes, ""]]
    if xlsx and any(name in b.tables for b in budgets for name in CSV_ONLY):
        notes.append("The ledger of every school, year and line is in the CSV export: "
                     "teachsim budget ... --out budget.csv writes budget_ledger.csv.")
    parts.append(("notes", {"note": np.array(notes, dtype=object)}))
    return parts


def write_csv(budgets: list[Budget], path: Path) -> list[Path]:
    """One CSV per sheet: ``<stem>_<sheet>.csv`` beside ``path``, each written
    atomically; the grant budgets keep their layout (lines as rows, fiscal years as
    columns), with the computed values where the spreadsheet has formulas."""
    parts = _parts(budgets)
    targets = [path.with_name(f"{path.stem}_{safe_name(name)}.csv") for name, _ in parts]
    for target in targets:
        check_file_target(target)  # all of them before writing any
    for (_, content), target in zip(parts, targets, strict=True):
        table = content.table() if isinstance(content, GrantSheet) else content
        with atomic_file(target) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            cols = list(table)
            w.writerow(cols)
            for row in zip(*(table[c] for c in cols), strict=True):
                w.writerow(["" if v is None else _cell(v) for v in row])
    return targets


def write_xlsx(budgets: list[Budget], path: Path) -> Path:
    """The budgets as one workbook (see the module's docstring)."""
    import xlsxwriter

    with atomic_file(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp))
        formats = _formats(book)
        parts = _parts(budgets, xlsx=True)
        for name, (_, content) in zip(sheet_names([n for n, _ in parts]), parts,
                                      strict=True):
            sheet = book.add_worksheet(name)
            if isinstance(content, GrantSheet):
                _grant_sheet(sheet, content, formats)
            else:
                _tidy_sheet(sheet, content, formats)
        book.close()
    return path


MONEY_FORMAT = '"$"#,##0;-"$"#,##0'


def _formats(book: Any) -> dict[str, Any]:
    def f(**kw: Any) -> Any:
        return book.add_format({"font_size": 10, "valign": "top", **kw})

    return {
        "title": f(bold=True, font_size=14), "basis": f(italic=True, font_color="#444444"),
        "head": f(bold=True, bg_color="#DDEBF7", text_wrap=True, valign="top", border=1),
        "head_num": f(bold=True, bg_color="#DDEBF7", text_wrap=True, valign="top", border=1,
                      align="right"),
        "heading": f(bold=True, bg_color="#F2F2F2"),
        "text": f(), "wrap": f(text_wrap=True, valign="top"),
        "line": f(num_format=MONEY_FORMAT), "count": f(num_format="#,##0"),
        "count_frac": f(num_format="#,##0.0"),
        "subtotal": f(num_format=MONEY_FORMAT, bold=True, top=1),
        "subtotal_label": f(bold=True, top=1),
        "net": f(num_format=MONEY_FORMAT, bold=True, top=1, bottom=1),
        "net_label": f(bold=True, top=1, bottom=1),
        "ask": f(num_format=MONEY_FORMAT, bold=True, bg_color="#FFF2CC"),
        "ask_label": f(bold=True, bg_color="#FFF2CC"),
        "cumulative": f(num_format=MONEY_FORMAT), "budget": f(num_format=MONEY_FORMAT),
        "share": f(num_format="0.00%"), "note": f(italic=True, font_color="#444444"),
        "money": f(num_format=MONEY_FORMAT), "percent": f(num_format="0%"),
        "number": f(num_format="#,##0.####"),
    }


def _page(sheet: Any, header_row: int, title: str) -> None:
    """Printed: landscape, one page wide, the header row on every page."""
    sheet.set_landscape()
    sheet.set_paper(1)  # US Letter
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header_row)
    sheet.set_header(f"&L&\"Calibri,Bold\"{title.replace('&', '&&')}&R&D")
    sheet.set_footer("&CPage &P of &N")


def _grant_sheet(sheet: Any, g: GrantSheet, fmt: dict[str, Any]) -> None:
    from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

    n_years = len(g.years)
    total_col, note_col = 1 + n_years, 2 + n_years
    sheet.set_row(0, 20)
    sheet.write(0, 0, g.title, fmt["title"])
    sheet.write(1, 0, g.basis, fmt["basis"])
    sheet.write(2, 0, "Nominal dollars of each fiscal year. Subtotals, net, ask, cumulative "
                "ask, share and totals are formulas; the notes and assumptions sheets say "
                "where every price comes from.", fmt["basis"])
    sheet.write(FIRST, 0, "Budget line", fmt["head"])
    for j, fy in enumerate(g.fiscal_years):
        sheet.write(FIRST, 1 + j, f"FY {fy}", fmt["head_num"])
    sheet.write(FIRST, total_col, "Total", fmt["head_num"])
    sheet.write(FIRST, note_col, "Note", fmt["head"])

    def ref(i: int, j: int) -> str:
        return xl_rowcol_to_cell(FIRST + 1 + i, 1 + j)

    for i, r in enumerate(g.rows):
        row = FIRST + 1 + i
        if r.kind == "heading":
            for j in range(note_col + 1):
                sheet.write_blank(row, j, None, fmt["heading"])
            sheet.write(row, 0, r.label, fmt["heading"])
            continue
        kind = r.kind
        if kind == "count" and np.any(r.values != np.round(r.values)):
            kind = "count_frac"
        cell_fmt = fmt[kind]
        sheet.write(row, 0, r.label[:1].upper() + r.label[1:],
                    fmt.get(f"{r.kind}_label", fmt["text"]))
        for j, v in enumerate(r.values):
            value = float(v)
            formula = None
            if r.kind in ("subtotal", "net", "ask") and r.parts:
                parts = list(r.parts)
                if r.kind == "subtotal" and parts == list(range(parts[0], parts[-1] + 1)):
                    formula = f"=SUM({ref(parts[0], j)}:{ref(parts[-1], j)})"
                else:
                    formula = "=" + "+".join(ref(p, j) for p in parts)
            elif r.kind == "cumulative":
                formula = (f"={ref(r.parts[0], j)}" if j == 0
                           else f"={ref(i, j - 1)}+{ref(r.parts[0], j)}")
            elif r.kind == "share":
                ask, budget = (ref(p, j) for p in r.parts)
                formula = f"=IF({budget}=0,0,{ask}/{budget})"
            if formula:
                sheet.write_formula(row, 1 + j, formula, cell_fmt, value)
            else:
                sheet.write_number(row, 1 + j, value, cell_fmt)
        if r.total is not None:
            first, last = (xl_col_to_name(1), xl_col_to_name(n_years))
            sheet.write_formula(row, total_col, f"=SUM({first}{row + 1}:{last}{row + 1})",
                                cell_fmt, r.total)
        if r.note:
            sheet.write(row, note_col, r.note, fmt["note"])
    sheet.set_column(0, 0, max(30, min(60, max(len(r.label) for r in g.rows) + 2)))
    sheet.set_column(1, n_years, 12.5)
    sheet.set_column(total_col, total_col, 13.5)
    sheet.set_column(note_col, note_col, 34)
    sheet.freeze_panes(FIRST + 1, 1)
    _page(sheet, FIRST, g.title)


def _tidy_sheet(sheet: Any, table: Table, fmt: dict[str, Any]) -> None:
    cols = list(table)
    n = len(next(iter(table.values()))) if table else 0
    lines = np.ones(n, dtype=int)  # text lines of each row, for its height
    widths: dict[str, float] = {}
    for j, col in enumerate(cols):
        values = table[col]
        numeric = values.dtype.kind in "fiu" or col in MONEY
        sheet.write(0, j, label(col), fmt["head_num" if numeric else "head"])
        if col in MONEY:
            cell_fmt = fmt["money"]
        elif col in SHARE:
            cell_fmt = fmt["percent"]
        elif values.dtype.kind == "f":
            cell_fmt = fmt["number"]
        else:
            cell_fmt = fmt["wrap"] if col in WRAPPED else fmt["text"]
        text = [len(str(v)) for v in values if isinstance(v, str)]
        widths[col] = min(WRAPPED.get(col, 40), max(len(label(col)) * 0.7,
                                                     max(text, default=10) + 2, 11))
        sheet.set_column(j, j, widths[col], cell_fmt)
        if col in WRAPPED:
            # LibreOffice and Excel do not grow a row for wrapped text written by a
            # library, so each row gets the height its longest text needs
            lines = np.maximum(lines, [int(np.ceil(len(str(v)) / (1.05 * widths[col])))
                                       for v in values])
        unit = table.get("unit")
        for i, v in enumerate(values):
            v = _cell(v)
            if v is None or (isinstance(v, float) and not np.isfinite(v)):
                continue
            if col == "value" and unit is not None and str(unit[i]).startswith("$") \
                    and isinstance(v, int | float):
                sheet.write(i + 1, j, v, fmt["money"])
            else:
                sheet.write(i + 1, j, v, cell_fmt)
    head_lines = max(int(np.ceil(len(label(c)) / (1.05 * widths[c]))) for c in cols) \
        if cols else 1
    sheet.set_row(0, 13.0 * head_lines + 2)
    for i in np.flatnonzero(lines > 1):
        sheet.set_row(int(i) + 1, 13.0 * int(lines[i]))
    sheet.freeze_panes(1, 0)
    if cols != ["note"]:
        sheet.autofilter(0, 0, max(n, 1), len(cols) - 1)
    _page(sheet, 0, "")
