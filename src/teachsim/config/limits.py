"""Limits shared by config files and the command line, so that a value refused in a file
is refused on the command line too (kept free of imports: the CLI reads it at start-up)."""

#: most school years one run simulates
MAX_YEARS = 60
#: largest root seed (numpy's SeedSequence takes any non-negative integer; this keeps seeds
#: in a signed 64-bit column)
MAX_SEED = 2**63 - 1
#: most replications per arm and design point
MAX_REPLICATIONS = 1_000_000
#: most design points of a sweep
MAX_POINTS = 1_000_000
#: most runs in one experiment (arms x points x replications); a run's spec is kept in
#: memory, and a million runs of School D take about a day on 64 cores
MAX_RUNS = 2_000_000
#: most worker processes
MAX_WORKERS = 4096
#: most schools in a district
MAX_SCHOOLS = 2000
#: most arms in an experiment (each is validated and compiled when the file is loaded)
MAX_ARMS = 1000
