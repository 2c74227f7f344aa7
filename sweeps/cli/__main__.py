"""``python -m sweeps.cli``: the same as the ``nnsweep`` command."""

import sys

from . import main

sys.exit(main())
