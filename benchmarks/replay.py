"""Replay scaling: how load + diagnosis + rendering grow with the number of targets, per situation.

For each situation of ``benchmarks/scaled.py`` and each size, a snapshot file is written, then
replayed three ways:

- in process, timed: ``load_snapshot`` + ``diagnose`` + render text + render JSON (the median
  of ``repeat`` runs; one run above :data:`ONE_RUN_ABOVE` targets);
- in process again under ``tracemalloc``, for the peak of Python memory over the same work
  (tracing slows Python down, so it is not the timed run);
- as a fresh ``cd-doctor --replay FILE --format json`` process, timed, with its peak resident
  memory (``ru_maxrss`` from ``os.wait4``), which includes the interpreter and the libraries.

The growth exponent between two sizes is ``log(t2 / t1) / log(n2 / n1)``: 1 is linear, 2 quadratic.
"""

from __future__ import annotations

import gc
import math
import os
import subprocess
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from benchmarks import scaled
from codedeploy_doctor.diagnosis import diagnose
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for
from codedeploy_doctor.snapshot import load_snapshot

ONE_RUN_ABOVE = 5000
"""Sizes above this are timed once (a run takes seconds; the median of one is the run)."""


@dataclass
class ReplayResult:
    """One situation at one size."""

    situation: str
    targets: int
    build_s: float
    """Generating the snapshot and writing its file."""
    file_mib: float
    load_s: float
    diagnose_s: float
    render_s: float
    """Text and JSON."""
    total_s: float
    peak_mib: float
    """tracemalloc peak over load + diagnose + render."""
    cli_s: float | None
    cli_rss_mib: float | None
    """Peak resident memory of the CLI process."""
    error: str | None = None
    """Why the replay failed (the CLI's message), if it did."""

    @property
    def peak_to_file(self) -> float:
        """Peak Python memory over file size."""
        return self.peak_mib / self.file_mib if self.file_mib else 0.0


def _in_process(path: Path) -> tuple[float, float, float]:
    t0 = time.perf_counter()
    snapshot = load_snapshot(path)
    t1 = time.perf_counter()
    report = diagnose(snapshot)
    t2 = time.perf_counter()
    renderer_for(OutputFormat.TEXT)(report, RenderOptions(color=False, width=100))
    renderer_for(OutputFormat.JSON)(report, RenderOptions())
    t3 = time.perf_counter()
    return t1 - t0, t2 - t1, t3 - t2


def _peak(path: Path) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        _in_process(path)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _cli_run(command: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS MiB, exit status and stderr of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    stderr = process.stderr.read().decode("utf-8", errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    return wall, usage.ru_maxrss / 1024, process.returncode, stderr


def run_replay(situation: str, total: int, directory: Path, cli: list[str], *, repeat: int) -> ReplayResult:
    """Build, write and replay one situation at one size."""
    path = directory / f"{situation}-{total}.json"
    started = time.perf_counter()
    scaled.write(situation, total, path)
    build = time.perf_counter() - started
    file_mib = path.stat().st_size / 2**20
    try:
        samples = [_in_process(path) for _ in range(1 if total > ONE_RUN_ABOVE else repeat)]
    except Exception as error:  # noqa: BLE001 - a refused snapshot is a result to report, not a crash
        path.unlink()
        return ReplayResult(situation, total, build, file_mib, 0, 0, 0, 0, 0, None, None, error=str(error).splitlines()[0])
    load_s, diagnose_s, render_s = sorted(samples, key=sum)[len(samples) // 2]
    peak = _peak(path)
    wall, rss, status, stderr = _cli_run([*cli, "--replay", str(path), "--format", "json", "--output", os.devnull])
    path.unlink()
    error = None
    if status not in (0, 1, 4):  # 0, 1, 4: a diagnosis (exit codes in the README); 2 and 3 are failures
        error = (stderr.strip().splitlines() or [f"exit {status}"])[-1]
    return ReplayResult(
        situation=situation,
        targets=total,
        build_s=build,
        file_mib=file_mib,
        load_s=load_s,
        diagnose_s=diagnose_s,
        render_s=render_s,
        total_s=load_s + diagnose_s + render_s,
        peak_mib=peak,
        cli_s=wall,
        cli_rss_mib=rss,
        error=error,
    )


def exponent(small: ReplayResult, large: ReplayResult) -> float | None:
    """Growth exponent of the in-process time from ``small`` to ``large``."""
    if small.error or large.error or small.total_s <= 0 or large.total_s <= 0:
        return None
    return math.log(large.total_s / small.total_s) / math.log(large.targets / small.targets)
