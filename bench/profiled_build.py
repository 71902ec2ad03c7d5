"""`sitegen build ...` for a profiler: the same command, except that the process returns from it.

A build ends its process at once when it is done (workers.end_now: freeing what it made would only
cost time), and a profiler that writes its report as the process exits never gets to. Used by
bench/profile.py:  python -m cProfile -o out.pstats bench/profiled_build.py build SITE ...
"""

import sys

from sitegen import workers
from sitegen.cli import main


def _return() -> None:
    sys.exit(0)


workers.end_now = _return  # type: ignore[assignment]  # this process only: a measurement
sys.exit(main())
