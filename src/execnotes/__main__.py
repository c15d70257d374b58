"""`python -m execnotes`."""

import sys

from execnotes.cli import main

sys.exit(main())
