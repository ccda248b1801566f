"""``python -m experiments`` runs the ``townsim`` command line."""

import sys

from experiments.cli import main

sys.exit(main())
