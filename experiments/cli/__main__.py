"""``python -m townsim.experiments.cli`` runs the ``townsim`` command line."""

import sys

from townsim.experiments.cli import main

sys.exit(main())
