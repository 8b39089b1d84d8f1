"""`python -m sim` is the `tiaokuai` command."""

import sys

from .cli import main

sys.exit(main())
