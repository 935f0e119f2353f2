"""`python -m indexer` is the same as the `newsindex` command."""

import sys

from indexer.cli import main

sys.exit(main())
