"""``python -m orchestration.cli``: the ``review`` command line."""

import sys

from orchestration.cli.entry import main

sys.exit(main())
