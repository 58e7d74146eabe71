"""The budget's tables in the data dictionary (docs/outputs.md): what ``teachsim budget
--out`` writes, column by column. Imported by name when the dictionary renders
(:data:`teachsim.experiments.dictionary.EXTENSIONS`); tests/test_costs.py checks every
table a budget writes against these entries."""

from __future__ import annotations

from teachsim.experiments.dictionary import Column, register

ID = "-"
USD = "US dollars of the fiscal year (nominal)"
WRITTEN = ("`teachsim budget SCENARIO|RESULTS --out budget.xlsx` (a sheet each) or "
           "`--out budget.csv` (`budget_<table>.csv` each)")
SCHOOL_YEAR = (
    Column("school_id", "school's index in the district (0-based), as in school_year", ID,
           "int64"),
    Column("school", "school's name", ID, "string"),
    Column("year", "calendar year the school year starts in", "year", "int64"),
)
MONEY_LINE = (
    Column("amount", "the line's cost (negative: a saving)", USD, "float64"),
    Column("amount_low", "the same with the low stipend payroll load "
           "(costs.stipend_payroll_load_low); equal to amount on lines without it", USD,
           "float64"),
    Column("amount_high", "the same with the high stipend payroll load", USD, "float64"),
)

register("budget", [
    Column("line", "budget line, section heading, subtotal or context row (schools, "
           "operating budget, share)", ID, "string"),
    Column("kind", "heading, count, line, subtotal, net, ask, cumulative, budget or share: "
           "how the row is computed (subtotal: sum of its section's lines; net: sum of "
           "subtotals; cumulative: running total of the ask; share: ask / budget)", ID,
           "string"),
    Column("<fiscal year>", "the row's figure in that fiscal year (e.g. 2026-27): dollars, "
           "except counts (schools) and the share (0-1); empty on headings", USD, "float64",
           pattern=r"\d{4}-\d{2}"),
    Column("total", "sum over the fiscal years of lines, subtotals, net and ask rows; empty "
           "where a sum means nothing (counts, cumulative ask, operating budget, share)",
           USD, "float64"),
], rows="budget row (lines as rows, fiscal years as columns); one file each for the "
        "expected, low and high versions: `budget_budget_expected.csv`, "
        "`budget_budget_low.csv`, `budget_budget_high.csv` (sheets `budget expected`, ...)",
   written_by=WRITTEN)

register("neutrality", [
    *SCHOOL_YEAR,
    Column("fiscal_year", "fiscal year, e.g. 2026-27", ID, "string"),
    Column("replications_on_policy", "replications in which the school ran the policy "
           "that year (1 for a single run)", "replications", "int64"),
    Column("investments", "mean over those replications of what the school spends on the "
           "design: stipends, their payroll load, programmes, start-up lines, teachers "
           "added", USD, "float64"),
    Column("trade_offs", "mean of the offsetting changes: support-staff FTE, after-school "
           "PD no longer held (negative: savings)", USD, "float64"),
    Column("net_impact", "investments + trade_offs (mean)", USD, "float64"),
    Column("net_impact_low", "10th percentile across replications of the net with the "
           "low stipend payroll load", USD, "float64"),
    Column("net_impact_high", "90th percentile across replications of the net with the "
           "high stipend payroll load", USD, "float64"),
    Column("share_budget_neutral", "share of those replications whose net is at most "
           "costs.neutral_tolerance", "share (0-1)", "float64"),
    Column("verdict", "'budget-neutral' when the mean net is at most "
           "costs.neutral_tolerance, else 'misses'", ID, "string"),
    Column("misses_by", "the mean net when the verdict is 'misses', else 0", USD,
           "float64"),
], rows="school and year in which the school was on the policy in at least one "
        "replication", written_by=WRITTEN)

register("assumptions", [
    Column("group", "price basis, prices, salaries, staffing at adoption, start-up lines "
           "or policy prices", ID, "string"),
    Column("key", "where the value is set: the scenario or policy key", ID, "string"),
    Column("description", "what the value is", ID, "string"),
    Column("value", "the value used (numbers as numbers; yes/no, rules and 'default' as "
           "text)", "see unit", "string"),
    Column("unit", "the value's unit", ID, "string"),
    Column("source", "where the value comes from (publication, seed document, assumption "
           "or design choice)", ID, "string"),
], rows="price, salary or staffing choice behind the budget", written_by=WRITTEN)

register("budget_by_year", [
    Column("year", "calendar year the school year starts in", "year", "int64"),
    Column("category", "investment, trade-off, simulated or payroll (see docs/budget.md)",
           ID, "string"),
    Column("line", "ledger line", ID, "string"),
    *MONEY_LINE,
], rows="ledger line and year, summed over the district's schools (single scenario "
        "runs)", written_by=WRITTEN, only_when="a budget of one scenario run")

register("ledger", [
    Column("scenario", "scenario name", ID, "string"),
    Column("year", "calendar year the school year starts in", "year", "int64"),
    Column("school_id", "school's index in the district (0-based)", ID, "int64"),
    Column("school", "school's name", ID, "string"),
    Column("line", "ledger line", ID, "string"),
    Column("category", "investment, trade-off, simulated or payroll", ID, "string"),
    *MONEY_LINE,
], rows="ledger line, school and year (CSV only: `budget_ledger.csv`; too long to print)",
   written_by=WRITTEN, only_when="a budget of one scenario run")

register("replications", [
    Column("run_id", "the run, as in the results' runs table", ID, "int64"),
    Column("net_cost_expected", "net cost of the design over the budget's years (one-time "
           "+ recurring + savings and trade-offs of the schools on the policy), expected "
           "payroll load", USD, "float64"),
    Column("net_cost_low", "the same with the low stipend payroll load (ranks the low "
           "version)", USD, "float64"),
    Column("net_cost_high", "the same with the high stipend payroll load (ranks the high "
           "version)", USD, "float64"),
    Column("philanthropic_ask", "the ask over the budget's years", USD, "float64"),
], rows="replication of the arm", written_by=WRITTEN,
   only_when="a budget of an experiment's results")

register("notes", [
    Column("note", "how the budget was computed, line by line, in words", ID, "string"),
], rows="note (the scenario, prices, what each kind of line holds)", written_by=WRITTEN)
