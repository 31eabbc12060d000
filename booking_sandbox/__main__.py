"""``python -m booking_sandbox ...``: the same commands as ``frontdoor sandbox ...``."""

import sys

from booking_sandbox.cli import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
