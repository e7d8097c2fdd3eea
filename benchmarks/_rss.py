"""Peak resident memory of this process, sampled in a thread (shared by the benchmarks)."""

from __future__ import annotations

import resource
import threading

import psutil


class PeakRss:
    """Samples this process's RSS every 20 ms (psutil).

    ``peak`` is the peak of the whole ``with`` block, raised on exit to the kernel's
    ``ru_maxrss`` (which a short spike between two samples may exceed); ``window`` is the
    peak since the last :meth:`reset_window`, for one phase of a benchmark.
    """

    def __init__(self) -> None:
        self.peak = 0
        self.window = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        proc = psutil.Process()
        while not self._stop.is_set():
            rss = proc.memory_info().rss
            self.peak = max(self.peak, rss)
            self.window = max(self.window, rss)
            self._stop.wait(0.02)

    def reset_window(self) -> None:
        """Start measuring the peak of the next phase (one source's ingest)."""
        self.window = psutil.Process().memory_info().rss

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
