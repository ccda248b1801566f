"""``python -m benchmarks``: run the benchmark cases (see :mod:`benchmarks.run`)."""

import sys

from benchmarks.run import main

sys.exit(main())
