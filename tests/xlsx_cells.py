"""Read an .xlsx written by XlsxWriter without a spreadsheet library: each sheet's cells
(cached value and formula), and evaluate the formulas the budget uses (SUM of a range,
cell arithmetic, IF) from the cells' cached values."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REF = re.compile(r"\$?([A-Z]+)\$?(\d+)")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = 26 * n + ord(ch) - 64
    return n - 1


def read_book(path: Path) -> dict[str, dict[str, tuple[object, str | None]]]:
    """Sheet name -> cell reference -> (cached value, formula or None)."""
    with zipfile.ZipFile(path) as z:
        names = [s.get("name") for s in ElementTree.fromstring(
            z.read("xl/workbook.xml")).iter(f"{{{NS['m']}}}sheet")]
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ElementTree.fromstring(z.read("xl/sharedStrings.xml")).iter(
                    f"{{{NS['m']}}}si"):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
        book = {}
        for i, name in enumerate(names, start=1):  # XlsxWriter: sheet<i>.xml in order
            cells: dict[str, tuple[object, str | None]] = {}
            root = ElementTree.fromstring(z.read(f"xl/worksheets/sheet{i}.xml"))
            for c in root.iter(f"{{{NS['m']}}}c"):
                v, f = c.find("m:v", NS), c.find("m:f", NS)
                text = None if v is None else v.text
                value: object
                if c.get("t") == "s" and text is not None:
                    value = shared[int(text)]
                elif c.get("t") == "str":
                    value = text
                else:
                    value = None if text is None else float(text)
                cells[c.get("r")] = (value, None if f is None else f.text)
            book[str(name)] = cells
    return book


def evaluate(formula: str, cells: dict[str, tuple[object, str | None]]) -> float:
    """The value of a budget formula (SUM, +, -, /, IF) from the cached cell values."""

    def value(ref: str) -> float:
        v = cells.get(ref.replace("$", ""), (0.0, None))[0]
        return float(v) if isinstance(v, int | float) else 0.0

    def rng(a: str, b: str) -> list[float]:
        (ca, ra), (cb, rb) = REF.fullmatch(a).groups(), REF.fullmatch(b).groups()  # type: ignore[union-attr]
        return [value(f"{_letters(c)}{r}") for c in range(col_index(ca), col_index(cb) + 1)
                for r in range(int(ra), int(rb) + 1)]

    expr = formula.lstrip("=")
    expr = re.sub(r"(\$?[A-Z]+\$?\d+):(\$?[A-Z]+\$?\d+)", r'RNG("\1","\2")', expr)
    expr = re.sub(r'(?<!")\b(\$?[A-Z]+\$?\d+)\b(?!")', r'V("\1")', expr)
    expr = re.sub(r"(?<![<>=!])=(?!=)", "==", expr)
    return float(eval(expr, {"__builtins__": {}}, {  # our own formulas only
        "V": value, "RNG": rng, "SUM": lambda *a: sum(sum(x) if isinstance(x, list) else x
                                                      for x in a),
        "IF": lambda c, a, b: a if c else b}))


def _letters(index: int) -> str:
    s = ""
    index += 1
    while index:
        index, r = divmod(index - 1, 26)
        s = chr(65 + r) + s
    return s
