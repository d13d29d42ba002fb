"""Size torch's thread pool to the cores that are idle now, not to all of them.

On a machine where another process keeps a core busy, a pool as large as the machine makes every
parallel operation wait at its barrier for the thread that the scheduler put aside: on two cores
the demo trained 65 times slower. Sampling the kernel's CPU counters for a moment tells how many
cores are free.
"""

from __future__ import annotations

import os
import time


def idle_cores(sample_seconds: float = 0.2) -> float | None:
    """Cores idle over a short sample, from /proc/stat; None where that file does not exist."""
    first = _cpu_times()
    if first is None:
        return None
    time.sleep(sample_seconds)
    second = _cpu_times()
    if second is None:
        return None
    total = sum(second) - sum(first)
    idle = (second[3] + second[4]) - (first[3] + first[4])  # idle and iowait
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores * idle / total if total > 0 else None


def use_idle_cores() -> int:
    """Give torch one thread per idle core (at least one); return the count chosen.

    ``torch.set_num_threads`` set by the user, or OMP_NUM_THREADS, is left alone.
    """
    import torch

    if "OMP_NUM_THREADS" in os.environ:
        return torch.get_num_threads()
    free = idle_cores()
    if free is not None:
        torch.set_num_threads(max(1, min(torch.get_num_threads(), round(free))))
    return torch.get_num_threads()


def _cpu_times() -> list[int] | None:
    try:
        with open("/proc/stat") as handle:
            fields = handle.readline().split()
    except OSError:
        return None
    return [int(value) for value in fields[1:8]] if fields and fields[0] == "cpu" else None
