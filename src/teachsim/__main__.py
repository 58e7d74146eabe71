"""``python -m teachsim``: the command line, as the ``teachsim`` script runs it."""

from teachsim.cli.main import main

main()
