"""Benchmark cd-doctor: replay scaling per situation, live workloads per platform, start-up.

Run from the repository root, in the project's virtualenv::

    python benchmarks/bench.py             # everything: 1k / 5k / 20k replays, every live workload (~6 min)
    python benchmarks/bench.py --quick     # 1k / 4k replays, fewer live workloads (under ~2 min)
    python benchmarks/bench.py --json > results.json

Three parts, each explained in docs/performance.md:

- **Replay scaling** (``benchmarks/replay.py``): every situation of ``benchmarks/scaled.py``
  (Server in-place with and without a load balancer, blue/green with full target health, ECS
  task sets, Lambda, distinct 2 KB log tails, a 1 MB agent log) at each size: load + diagnose +
  render time, peak memory against the file size, the CLI end to end, and the growth exponent.
- **Live workloads** (``benchmarks/live.py``): the real collector over fake AWS with
  ``--latency`` seconds a call, per platform and up to 20,000 targets: calls, round trips,
  dependent round trips, wall time, and the minimum number of calls that gives the same report.
- **Start-up**: medians of fresh ``python -c pass``, ``cd-doctor --help``, ``--version`` and a
  replay of a small fixture, and whether any of them imported boto3, botocore or pydantic.

The exit status is 0 only when every goal (issue 15) is met.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks import live, replay, scaled  # noqa: E402
from benchmarks.workload import Workload, instances, target_group, target_health  # noqa: E402
from codedeploy_doctor.aws.clients import ClientFactory  # noqa: E402
from tests.fakes.codedeploy_world import CodeDeployWorld  # noqa: E402
from tests.fakes.traffic_world import TrafficWorld  # noqa: E402
from tests.support import offline_factory  # noqa: E402

PAGE_SIZE = live.PAGE_SIZE
FLAGSHIP = REPO / "fixtures" / "server-bluegreen-validateservice-green.json"
FULL_SIZES = (1000, 5000, 20000)
QUICK_SIZES = (1000, 4000)


# -- the fakes of the Server blue/green workloads -------------------------------------------


class NetworkUsedError(RuntimeError):
    """A benchmark call got past the fakes to botocore's HTTP layer."""


def _refuse_network(request: Any, **_: Any) -> None:
    raise NetworkUsedError(f"the benchmark tried to reach the network: {getattr(request, 'url', request)}")


def _no_network(service: str, client: Any) -> None:
    # Fakes answer at before-call; anything reaching before-send would be a real request.
    client.meta.events.register("before-send", _refuse_network)


def factory_for(*hooks: Any) -> ClientFactory:
    """The offline client seam of the tests, answered by ``hooks``, refusing the network."""
    return offline_factory(*hooks, _no_network)


def worlds(workload: Workload, latency: float, page_size: int = PAGE_SIZE) -> tuple[CodeDeployWorld, TrafficWorld]:
    """Fresh fakes serving one workload."""
    codedeploy = CodeDeployWorld.from_snapshots([workload.snapshot], latency=latency, page_size=page_size)
    group = target_group()
    traffic = TrafficWorld(
        target_groups=[group],
        target_health={group["TargetGroupArn"]: target_health(workload)},
        instances={instance["InstanceId"]: instance for instance in instances(workload)},
        latency=latency,
    )
    return codedeploy, traffic


# -- commands -------------------------------------------------------------------------------


def _cli() -> list[str]:
    script = Path(sys.executable).parent / "cd-doctor"
    return [str(script)] if script.exists() else [sys.executable, "-m", "codedeploy_doctor"]


def _time_command(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


IMPORT_PROBE = """
import sys
sys.argv = ["cd-doctor", *sys.argv[1:]]
from codedeploy_doctor.cli import main
try:
    main()
except SystemExit:
    pass
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("boto3", "botocore"))
sys.stderr.write("AWS-MODULES:" + ",".join(loaded) + "\\n")
"""
"""Runs the CLI in a fresh interpreter and reports every boto3/botocore module it imported."""


def aws_modules_imported(*args: str) -> list[str]:
    """boto3/botocore modules a fresh ``cd-doctor ARGS`` process imported."""
    done = subprocess.run([sys.executable, "-c", IMPORT_PROBE, *args], capture_output=True, text=True, check=False, cwd=str(REPO))
    line = next((line for line in done.stderr.splitlines() if line.startswith("AWS-MODULES:")), None)
    if line is None:
        raise RuntimeError(f"the import probe failed: {done.stderr.strip()}")
    return [name for name in line.removeprefix("AWS-MODULES:").split(",") if name]


# -- start-up -------------------------------------------------------------------------------


@dataclass
class StartupResult:
    """Start-up of the CLI's cheapest commands against a bare interpreter (medians)."""

    runs: int
    python_pass_s: float
    help_s: float
    version_s: float
    replay_s: float
    """``cd-doctor --replay FIXTURE --format json --output /dev/null`` of the flagship fixture."""
    heavy_modules: dict[str, list[str]]
    """Per command, the boto3/botocore/pydantic modules it imported."""


HEAVY_PROBE = """
import sys
sys.argv = ["cd-doctor", *sys.argv[1:]]
from codedeploy_doctor.cli import main
try:
    main()
except SystemExit:
    pass
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("boto3", "botocore", "pydantic", "pydantic_core"))
sys.stderr.write("HEAVY-MODULES:" + ",".join(loaded) + "\\n")
"""


def heavy_modules_imported(*args: str) -> list[str]:
    """boto3/botocore/pydantic modules a fresh ``cd-doctor ARGS`` process imported."""
    done = subprocess.run([sys.executable, "-c", HEAVY_PROBE, *args], capture_output=True, text=True, check=False, cwd=str(REPO))
    line = next((line for line in done.stderr.splitlines() if line.startswith("HEAVY-MODULES:")), None)
    if line is None:
        raise RuntimeError(f"the import probe failed: {done.stderr.strip()}")
    return [name for name in line.removeprefix("HEAVY-MODULES:").split(",") if name]


def run_startup(runs: int) -> StartupResult:
    """Median start-up of each command, the runs interleaved so load changes hit them alike."""
    replay_args = ["--replay", str(FLAGSHIP), "--format", "json", "--output", os.devnull]
    commands = {
        "pass": [sys.executable, "-c", "pass"],
        "help": [*_cli(), "--help"],
        "version": [*_cli(), "--version"],
        "replay": [*_cli(), *replay_args],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(_time_command(command))
    medians = {name: statistics.median(values) for name, values in times.items()}
    heavy = {
        "--help": heavy_modules_imported("--help"),
        "--version": heavy_modules_imported("--version"),
        "--replay": heavy_modules_imported(*replay_args),
    }
    return StartupResult(runs, medians["pass"], medians["help"], medians["version"], medians["replay"], heavy)


# -- goals ----------------------------------------------------------------------------------


@dataclass
class Goal:
    """One goal of issue 15 and whether this run met it."""

    name: str
    met: bool
    evidence: str


def _by_size(replays: list[replay.ReplayResult]) -> dict[str, dict[int, replay.ReplayResult]]:
    table: dict[str, dict[int, replay.ReplayResult]] = {}
    for result in replays:
        table.setdefault(result.situation, {})[result.targets] = result
    return table


def check_goals(replays: list[replay.ReplayResult], lives: list[live.LiveResult], startup: StartupResult) -> list[Goal]:
    """Evaluate the goals on what was measured (a goal whose case did not run is skipped)."""
    goals: list[Goal] = []
    table = _by_size(replays)
    sizes = sorted({result.targets for result in replays})
    if len(sizes) >= 2:
        low, high = sizes[-2], sizes[-1]
        exponents = {name: replay.exponent(row[low], row[high]) for name, row in table.items() if low in row and high in row}
        worst = max((value for value in exponents.values() if value is not None), default=None)
        missing = [name for name, value in exponents.items() if value is None]
        goals.append(
            Goal(
                f"every situation grows linearly: exponent {low:,} -> {high:,} <= 1.15",
                worst is not None and worst <= 1.15 and not missing,
                ", ".join(f"{name} {value:.2f}" if value is not None else f"{name} failed" for name, value in exponents.items()),
            )
        )
        largest = [row[high] for row in table.values() if high in row]
        slow = [r for r in largest if r.error or r.total_s >= 3.0]
        goals.append(
            Goal(
                f"{high:,} targets replay in < 3 s in every situation",
                not slow,
                ", ".join(f"{r.situation} {r.total_s:.2f} s" if not r.error else f"{r.situation}: {r.error}" for r in largest),
            )
        )
        heavy = [r for r in largest if r.error or r.peak_to_file >= 4.0]
        goals.append(
            Goal(
                f"{high:,} targets: peak memory < 4x the file size",
                not heavy,
                ", ".join(f"{r.situation} {r.peak_to_file:.1f}x" for r in largest if not r.error),
            )
        )
    tails = table.get("distinct-tails", {})
    five = tails.get(5000) or tails.get(4000)
    if five is not None:
        goals.append(
            Goal(
                f"{five.targets:,} failed with distinct 2 KB tails < 2 s",
                not five.error and five.total_s < 2.0,
                f"{five.total_s:.2f} s (load {five.load_s:.2f}, diagnose {five.diagnose_s:.2f}, render {five.render_s:.2f})",
            )
        )
    small_bg = [r for r in lives if r.platform == "Server blue/green" and r.failed <= 25]
    if small_bg:
        worst_calls = max(r.calls for r in small_bg)
        worst_rt = max(r.dependent_round_trips for r in small_bg)
        goals.append(
            Goal(
                "failed blue/green, <= 25 failed: 8 calls, 3 dependent round trips",
                worst_calls <= 8 and worst_rt <= 3,
                f"worst over {len(small_bg)} workloads (up to {max(r.targets for r in small_bg):,} targets): "
                f"{worst_calls} calls, {worst_rt} dependent round trips",
            )
        )
    if lives:
        above = [r for r in lives if r.calls > r.minimum]
        goals.append(
            Goal(
                "the tool's calls against the minimum that gives the same report (stated, not a gate)",
                True,
                "; ".join(sorted({f"{r.platform}: +{r.calls - r.minimum}" for r in above})) or "at the minimum everywhere",
            )
        )
    replay_over = startup.replay_s - startup.python_pass_s
    help_over = startup.help_s - startup.python_pass_s
    goals.append(
        Goal(
            "a small fixture replays within 0.12 s of python -c pass",
            replay_over <= 0.12,
            f"+{replay_over:.3f} s (median of {startup.runs})",
        )
    )
    heavy_loaded = {command: modules for command, modules in startup.heavy_modules.items() if modules}
    goals.append(
        Goal(
            "--help within 0.1 s of python -c pass; no boto3, botocore or pydantic on these commands",
            help_over <= 0.1 and not heavy_loaded,
            f"--help +{help_over:.3f} s, --version +{startup.version_s - startup.python_pass_s:.3f} s; "
            f"heavy modules: {', '.join(f'{k} {len(v)}' for k, v in heavy_loaded.items()) or 'none'}",
        )
    )
    return goals


# -- output ---------------------------------------------------------------------------------


def _short(operation: str) -> str:
    names = {
        "GetDeployment": "GetDep",
        "GetDeploymentGroup": "GetDG",
        "GetDeploymentConfig": "GetDC",
        "ListDeploymentTargets": "List",
        "BatchGetDeploymentTargets": "BatchGet",
        "DescribeTargetGroups": "DescTG",
        "DescribeTargetHealth": "DescTH",
        "DescribeInstances": "DescInst",
        "DescribeListeners": "DescL",
        "DescribeRules": "DescR",
        "DescribeServices": "DescSvc",
    }
    name = operation.split(":")[1]
    return names.get(name, name)


def markdown(
    replays: list[replay.ReplayResult],
    lives: list[live.LiveResult],
    startup: StartupResult,
    goals: list[Goal],
    meta: dict[str, Any],
) -> str:
    """Every table, in Markdown."""
    lines = [
        "Replay (in process: load + diagnose + render text and JSON; peak: tracemalloc over the same; "
        "CLI: a fresh `cd-doctor --replay F --format json` process, peak RSS from wait4):",
        "",
        "| situation | targets | build s | file MiB | load s | diagnose s | render s | total s | peak MiB | peak/file "
        "| CLI s | CLI RSS MiB | exponent |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    table = _by_size(replays)
    for situation, row in table.items():
        previous: replay.ReplayResult | None = None
        for size in sorted(row):
            r = row[size]
            growth = replay.exponent(previous, r) if previous is not None else None
            if r.error:
                lines.append(f"| {situation} | {size:,} | {r.build_s:.2f} | {r.file_mib:.1f} | **{r.error}** |||||||||")
            else:
                lines.append(
                    f"| {situation} | {size:,} | {r.build_s:.2f} | {r.file_mib:.1f} | {r.load_s:.3f} | {r.diagnose_s:.3f} "
                    f"| {r.render_s:.3f} | {r.total_s:.3f} | {r.peak_mib:.1f} | {r.peak_to_file:.1f}x "
                    f"| {r.cli_s or 0:.2f} | {r.cli_rss_mib or 0:.0f} | {f'{growth:.2f}' if growth is not None else '-'} |"
                )
            previous = r
    lines += [
        "",
        f"Live (fake AWS, {meta['latency_ms']:.0f} ms a call, pages of {PAGE_SIZE} ids; wall: median of {meta['repeat']}; "
        "dependent round trips: a run with every client made beforehand; peak: tracemalloc at 0 ms):",
        "",
        "| platform | targets | failed | calls | minimum | round trips | dependent | wall s | peak MiB | read in detail "
        "| verdict | exit |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in lives:
        lines.append(
            f"| {r.platform} | {r.targets:,} | {r.failed:,} | {r.calls} | {r.minimum} | {r.round_trips} "
            f"| {r.dependent_round_trips} | {r.wall_s:.2f} | {r.peak_mib:.1f} | {r.read_in_detail} "
            f"| {r.verdict} | {r.exit_code} |"
        )
    lines += [
        "",
        "Calls by operation and per dependent round trip:",
        "",
        "| platform | targets | failed | calls | per round trip |",
    ]
    lines.append("|---|---:|---:|---|---|")
    for r in lives:
        calls = " ".join(f"{_short(op)} {count}" for op, count in r.calls_by_operation.items())
        waves = " / ".join(str(len(wave)) for wave in r.waves)
        lines.append(f"| {r.platform} | {r.targets:,} | {r.failed:,} | {calls} | {waves} |")
    lines += [
        "",
        f"Start-up (median of {startup.runs} fresh processes each, interleaved):",
        "",
        "| command | median s | over `python -c pass` |",
        "|---|---:|---:|",
        f"| `python -c pass` | {startup.python_pass_s:.3f} | - |",
        f"| `cd-doctor --help` | {startup.help_s:.3f} | {startup.help_s - startup.python_pass_s:+.3f} |",
        f"| `cd-doctor --version` | {startup.version_s:.3f} | {startup.version_s - startup.python_pass_s:+.3f} |",
        f"| `cd-doctor --replay {FLAGSHIP.name} --format json` | {startup.replay_s:.3f} "
        f"| {startup.replay_s - startup.python_pass_s:+.3f} |",
        "",
        "Goals:",
        "",
        "| goal | met | evidence |",
        "|---|---|---|",
    ]
    lines += [f"| {goal.name} | {'yes' if goal.met else '**NO**'} | {goal.evidence} |" for goal in goals]
    return "\n".join(lines) + "\n"


# -- the machine ----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """Where the benchmark ran."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": _load_average(),
    }


def _load_average() -> float | None:
    # Other processes on the machine slow the CPU-bound parts (client set-up, diagnosis): record them.
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def _isolate_from_real_aws() -> None:
    # The fakes answer every call; this keeps a stray profile, endpoint or IMDS lookup out of the timings.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print Markdown (or JSON with --json)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds every fake AWS call takes (default 0.05)")
    parser.add_argument("--quick", action="store_true", help="1k/4k replays and fewer live workloads (under ~2 minutes)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of Markdown")
    parser.add_argument("--repeat", type=int, default=None, help="timed runs per case (median; default 3, 1 with --quick)")
    parser.add_argument("--only", choices=("replay", "live", "startup"), action="append", help="run only these parts")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    parts = set(args.only or ("replay", "live", "startup"))
    _isolate_from_real_aws()
    info = machine()
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    replays: list[replay.ReplayResult] = []
    if "replay" in parts:
        with tempfile.TemporaryDirectory(prefix="cd-doctor-bench-") as directory:
            for situation in scaled.SITUATIONS:
                for size in sizes:
                    print(f"replay {situation} {size} ...", file=sys.stderr, flush=True)
                    replays.append(replay.run_replay(situation, size, Path(directory), _cli(), repeat=repeat))
    lives: list[live.LiveResult] = []
    if "live" in parts:
        live.run_live(live.lambda_function(), 0.0, repeat=1)  # warm imports and caches, outside the timings
        for workload in live.workloads(args.quick):
            print(f"live {workload.platform} {workload.targets} ...", file=sys.stderr, flush=True)
            lives.append(live.run_live(workload, args.latency, repeat=repeat))
    startup = run_startup(5 if args.quick else 11) if "startup" in parts else StartupResult(0, 0, 0, 0, 0, {})
    goals = check_goals(replays, lives, startup) if "startup" in parts else []
    meta = {
        "latency_ms": args.latency * 1000,
        "repeat": repeat,
        "page_size": PAGE_SIZE,
        "machine": {**info, "loadavg_at_end": _load_average()},
        "command": " ".join(["python", "benchmarks/bench.py", *(argv if argv is not None else sys.argv[1:])]),
    }
    if args.json:
        document = {
            "meta": meta,
            "replays": [asdict(r) for r in replays],
            "live": [asdict(r) for r in lives],
            "startup": asdict(startup),
            "goals": [asdict(goal) for goal in goals],
        }
        print(json.dumps(document, indent=2))
    else:
        host = meta["machine"]
        print(
            f"Machine: {host['nproc']} CPUs, {host['cpu']}, Python {host['python']}; "
            f"1-minute load average {host['loadavg_at_start']} at start, {host['loadavg_at_end']} at end\n"
        )
        print(markdown(replays, lives, startup, goals, meta), end="")
    return 0 if all(goal.met for goal in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
