"""``python -m teachsim.cli``: the command line."""

from teachsim.cli.main import main

main()
