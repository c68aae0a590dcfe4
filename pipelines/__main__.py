"""`python -m pipelines …`: the command line (see `python -m pipelines --help`)."""

import sys

from pipelines.cli import main

sys.exit(main())
