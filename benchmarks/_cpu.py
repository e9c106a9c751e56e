"""CPU time readings, in a module of its own so that the memory probe can
use them without importing what _bench imports (pyarrow)."""

from __future__ import annotations

import os
import resource


def cpu_seconds() -> tuple[float, float] | None:
    """(CPU seconds the whole machine has spent busy or stolen by the
    hypervisor since boot, from /proc/stat; CPU seconds of this process, all
    threads), or None where /proc/stat is unavailable."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    if len(v) < 8:
        return None
    busy = (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
    r = resource.getrusage(resource.RUSAGE_SELF)
    return busy, r.ru_utime + r.ru_stime
