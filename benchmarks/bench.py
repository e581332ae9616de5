"""Benchmark cd-doctor's collector and diagnosis against a naive script, over fake AWS with latency.

Run from the repository root::

    python benchmarks/bench.py            # every case, 50 ms a call (a few minutes on 2 cores)
    python benchmarks/bench.py --quick    # a fast subset
    python benchmarks/bench.py --latency 0.1 --json > results.json

For each failed Server blue/green deployment (10 to 5,000 targets; 1, 1% or 100% failed) it
runs cd-doctor's real ``Collector`` (traffic checks included) and ``diagnose``, then the naive
baseline (``benchmarks/naive.py``), each against a fresh fake CodeDeploy
(``tests/fakes/codedeploy_world.py``) and fake traffic layer (``tests/fakes/traffic_world.py``)
that delay every call by ``--latency`` seconds, and reports AWS calls, sequential round trips on
the critical path (``benchmarks/timeline.py`` explains the measure), wall time and peak memory.
It also times replaying 5,000-target snapshots and the start-up of ``--help``/``--version``, and
checks the goals of issue 7. See docs/performance.md.
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
import tracemalloc
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.naive import collect_naive  # noqa: E402
from benchmarks.timeline import CallTimeline  # noqa: E402
from benchmarks.workload import Workload, blue_green_workload, failed_count, instances, target_group, target_health  # noqa: E402
from codedeploy_doctor.aws.clients import ClientFactory  # noqa: E402
from codedeploy_doctor.aws.collect import DETAIL_LIMIT, Collector  # noqa: E402
from codedeploy_doctor.aws.traffic import collect_traffic  # noqa: E402
from codedeploy_doctor.diagnosis import diagnose, exit_code_for  # noqa: E402
from codedeploy_doctor.ids import DeploymentId  # noqa: E402
from codedeploy_doctor.render import OutputFormat, RenderOptions, renderer_for  # noqa: E402
from codedeploy_doctor.report import Report  # noqa: E402
from codedeploy_doctor.snapshot import Snapshot, load_snapshot  # noqa: E402
from tests.fakes.codedeploy_world import CodeDeployWorld  # noqa: E402
from tests.fakes.traffic_world import TrafficWorld  # noqa: E402
from tests.support import offline_factory  # noqa: E402

SIZES = (10, 100, 1000, 5000)
SHARES = ("1", "1%", "100%")
QUICK_CASES = ((10, "1"), (1000, "1"), (1000, "1%"), (5000, "100%"))
QUICK_NAIVE_LIMIT = 1000
"""--quick skips the naive baseline above this many targets (it takes 17-32 s at 5,000)."""

PAGE_SIZE = 100
"""Ids per ListDeploymentTargets page in the fake by default (AWS does not document its page size)."""

SMALL_FAILURE = 25
"""Goal (a) covers deployments with up to this many failed targets."""

SLOW_REPLAY_S = 3.0
"""A replay slower than this is timed once, not ``repeat`` times (the goal is missed either way)."""

TRAFFIC_SERVICES = ("elbv2", "elb", "ec2", "ecs", "lambda", "autoscaling")
"""Services whose calls are traffic checks (the naive script makes none)."""


# -- one run --------------------------------------------------------------------------------


@dataclass
class RunResult:
    """One tool's run over one deployment."""

    tool: str
    calls: int
    calls_by_operation: dict[str, int]
    round_trips: int
    """Longest chain of calls each waiting on the previous, in the timed run (CPU between calls included)."""
    dependency_round_trips: int
    """The same chain with every client made beforehand: only calls that waited on calls remain."""
    waves: list[list[str]]
    """Calls by their depth in the dependency chain."""
    wall_s: float
    peak_mib: float
    targets_in_detail: int
    listed: dict[str, int]
    warnings: list[str]
    exit_code: str
    """The exit code the report maps to (README, exit codes)."""


@dataclass
class CaseResult:
    """Both tools over one deployment."""

    targets: int
    failed: int
    cd_doctor: RunResult
    naive: RunResult | None


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


def _render(report: Report) -> None:
    renderer_for(OutputFormat.TEXT)(report, RenderOptions(color=False, width=100))


def run_tool(
    tool: str,
    workload: Workload,
    latency: float,
    traffic: Callable[..., Any],
    *,
    measure_memory: bool = False,
    warm_services: tuple[str, ...] = (),
    page_size: int = PAGE_SIZE,
) -> RunResult:
    """Collect, diagnose and render one workload with one tool; time it, or trace its memory.

    ``warm_services`` are clients made before the clock starts (for the dependency probe).
    """
    codedeploy_world, traffic_world = worlds(workload, latency, page_size)
    timeline = CallTimeline()
    deployment_id = DeploymentId(workload.deployment_id)
    if warm_services:
        factory = factory_for(timeline.attach, codedeploy_world.attach, traffic_world.attach)
        for service in warm_services:
            factory.client(service)
    if measure_memory:
        tracemalloc.start()
    started = time.perf_counter()
    if not warm_services:
        factory = factory_for(timeline.attach, codedeploy_world.attach, traffic_world.attach)
    snapshot: Snapshot
    if tool == "cd-doctor":
        snapshot = Collector(factory, traffic=traffic).collect(deployment_id)
    else:
        snapshot = collect_naive(factory, deployment_id)
    report = diagnose(snapshot)
    _render(report)
    wall = time.perf_counter() - started
    peak = 0.0
    if measure_memory:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    collection = snapshot.collection
    return RunResult(
        tool=tool,
        calls=factory.total_calls,
        calls_by_operation=dict(sorted(factory.calls.items())),
        round_trips=timeline.round_trips(),
        dependency_round_trips=timeline.round_trips(),
        waves=timeline.waves(),
        wall_s=wall,
        peak_mib=peak,
        targets_in_detail=len(snapshot.targets),
        listed=dict(collection.listed) if collection else {},
        warnings=list(report.warnings),
        exit_code=exit_code_for(report).name,
    )


def run_case(
    workload: Workload, latency: float, traffic: Callable[..., Any], *, repeat: int, naive: bool, page_size: int = PAGE_SIZE
) -> CaseResult:
    """Both tools over one workload: timed runs at ``latency``, then a memory run at zero latency."""

    def measured(tool: str, times: int) -> RunResult:
        runs = [run_tool(tool, workload, latency, traffic, page_size=page_size) for _ in range(times)]
        median = sorted(runs, key=lambda run: run.wall_s)[len(runs) // 2]
        median.peak_mib = run_tool(tool, workload, 0.0, traffic, measure_memory=True, page_size=page_size).peak_mib
        return median

    ours = measured("cd-doctor", repeat)
    # The probe: same calls with every client made beforehand. A sequential script gains nothing from it.
    services = tuple(sorted({call.split(":")[0] for call in ours.calls_by_operation}))
    probe = run_tool("cd-doctor", workload, latency, traffic, warm_services=services, page_size=page_size)
    ours.dependency_round_trips, ours.waves = probe.round_trips, probe.waves
    baseline = measured("naive", 1) if naive else None
    return CaseResult(targets=workload.total, failed=workload.failed, cd_doctor=ours, naive=baseline)


# -- replay and start-up --------------------------------------------------------------------


@dataclass
class ReplayResult:
    """Replaying one snapshot file that holds every target."""

    targets: int
    failed: int
    file_mib: float
    load_s: float
    diagnose_s: float
    render_text_s: float
    render_json_s: float
    total_s: float
    cli_s: float


def run_replay(total: int, failed: int, directory: Path, *, repeat: int) -> ReplayResult:
    """Time load_snapshot + diagnose + render text and JSON in process, and the CLI end to end."""
    path = directory / f"replay-{total}-{failed}.json"
    path.write_text(json.dumps(blue_green_workload(total, failed).snapshot, indent=2), encoding="utf-8")
    samples: list[tuple[float, float, float, float]] = []
    while len(samples) < repeat and not (samples and sum(samples[0]) > SLOW_REPLAY_S):
        t0 = time.perf_counter()
        snapshot = load_snapshot(path)
        t1 = time.perf_counter()
        report = diagnose(snapshot)
        t2 = time.perf_counter()
        renderer_for(OutputFormat.TEXT)(report, RenderOptions())
        t3 = time.perf_counter()
        renderer_for(OutputFormat.JSON)(report, RenderOptions())
        t4 = time.perf_counter()
        samples.append((t1 - t0, t2 - t1, t3 - t2, t4 - t3))
    median = sorted(samples, key=sum)[len(samples) // 2]
    cli = statistics.median(
        _time_command([*_cli(), "--replay", str(path), "--format", "json", "--output", os.devnull]) for _ in range(len(samples))
    )
    return ReplayResult(
        targets=total,
        failed=failed,
        file_mib=path.stat().st_size / 2**20,
        load_s=median[0],
        diagnose_s=median[1],
        render_text_s=median[2],
        render_json_s=median[3],
        total_s=sum(median),
        cli_s=cli,
    )


@dataclass
class StartupResult:
    """Start-up of the CLI's cheapest commands against a bare interpreter."""

    runs: int
    python_pass_s: float
    help_s: float
    version_s: float
    help_imports_boto3: bool
    version_imports_boto3: bool


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


def run_startup(runs: int) -> StartupResult:
    """Median start-up of ``python -c pass``, ``cd-doctor --help`` and ``--version``, interleaved."""
    bare: list[float] = []
    help_times: list[float] = []
    version_times: list[float] = []
    for _ in range(runs):
        bare.append(_time_command([sys.executable, "-c", "pass"]))
        help_times.append(_time_command([*_cli(), "--help"]))
        version_times.append(_time_command([*_cli(), "--version"]))
    return StartupResult(
        runs=runs,
        python_pass_s=statistics.median(bare),
        help_s=statistics.median(help_times),
        version_s=statistics.median(version_times),
        help_imports_boto3=bool(aws_modules_imported("--help")),
        version_imports_boto3=bool(aws_modules_imported("--version")),
    )


# -- goals ----------------------------------------------------------------------------------


@dataclass
class Goal:
    """One goal of issue 7 and whether this run met it."""

    name: str
    met: bool
    evidence: str


def check_goals(cases: list[CaseResult], replays: list[ReplayResult], startup: StartupResult, latency: float) -> list[Goal]:
    """Evaluate the issue's goals on what was measured (a goal whose case did not run is skipped)."""
    goals: list[Goal] = []
    small = [case for case in cases if case.failed <= SMALL_FAILURE]
    if small:
        worst_rt = max(case.cd_doctor.round_trips for case in small)
        worst_calls = max(case.cd_doctor.calls for case in small)
        with_traffic = all(_traffic_calls(case.cd_doctor) > 0 for case in small)
        goals.append(
            Goal(
                "(a) <= 25 failed: <= 4 round trips, <= 8 calls, traffic included",
                worst_rt <= 4 and worst_calls <= 8 and with_traffic,
                f"worst over {len(small)} cases: {worst_rt} round trips, {worst_calls} calls; "
                f"traffic calls in every case: {'yes' if with_traffic else 'NO'}",
            )
        )
    ten = next((case for case in cases if case.targets == 1000 and case.failed == 10 and case.naive), None)
    if ten is not None and ten.naive is not None:
        ours, base = ten.cd_doctor, ten.naive
        codedeploy_calls = ours.calls - _traffic_calls(ours)
        goals.append(
            Goal(
                "(b1) 1,000 targets, 10 failed: >= 10x fewer calls than naive",
                base.calls >= 10 * ours.calls,
                f"{base.calls} vs {ours.calls} calls ({base.calls / ours.calls:.1f}x); the naive script makes no traffic "
                f"call: CodeDeploy calls alone {base.calls} vs {codedeploy_calls} ({base.calls / codedeploy_calls:.1f}x)",
            )
        )
        goals.append(
            Goal(
                "(b2) 1,000 targets, 10 failed: >= 5x less wall time than naive",
                base.wall_s >= 5 * ours.wall_s,
                f"{base.wall_s:.2f} s vs {ours.wall_s:.2f} s ({base.wall_s / ours.wall_s:.1f}x)",
            )
        )
    worst = next((case for case in cases if case.targets == 5000 and case.failed == 5000), None)
    if worst is not None:
        run = worst.cd_doctor
        bounded = run.targets_in_detail <= DETAIL_LIMIT and any("bounded" in warning for warning in run.warnings)
        goals.append(
            Goal(
                f"(c) 5,000 all failed: bounded work, < 3 s at {latency * 1000:.0f} ms",
                bounded and run.wall_s < 3.0,
                f"{run.targets_in_detail} targets read in detail (limit {DETAIL_LIMIT}), listed {run.listed}, "
                f"{run.calls} calls, {run.round_trips} round trips, {run.wall_s:.2f} s; bounded warning: "
                f"{'yes' if bounded else 'NO'}",
            )
        )
    if replays:
        slowest = max(replays, key=lambda replay: replay.total_s)
        goals.append(
            Goal(
                "(d) replaying a 5,000-target snapshot < 1 s",
                slowest.total_s < 1.0,
                f"slowest: {slowest.failed} failed, {slowest.total_s:.2f} s (load + diagnose + render text + json)",
            )
        )
    overhead = max(startup.help_s, startup.version_s) - startup.python_pass_s
    goals.append(
        Goal(
            "(e) --help/--version: no boto3, start-up within 0.25 s of python -c pass",
            not startup.help_imports_boto3 and not startup.version_imports_boto3 and overhead <= 0.25,
            f"boto3 imported: --help {startup.help_imports_boto3}, --version {startup.version_imports_boto3}; "
            f"worst overhead {overhead:.3f} s (median of {startup.runs})",
        )
    )
    return goals


def _traffic_calls(run: RunResult) -> int:
    return sum(count for call, count in run.calls_by_operation.items() if call.split(":")[0] in TRAFFIC_SERVICES)


# -- output ---------------------------------------------------------------------------------


def _abbreviate(calls: dict[str, int]) -> str:
    short = {
        "GetDeployment": "GetDep",
        "GetDeploymentGroup": "GetDG",
        "ListDeploymentTargets": "List",
        "BatchGetDeploymentTargets": "BatchGet",
        "DescribeTargetGroups": "DescTG",
        "DescribeTargetHealth": "DescTH",
        "DescribeInstances": "DescInst",
    }
    return " ".join(f"{short.get(call.split(':')[1], call.split(':')[1])} {count}" for call, count in calls.items())


def markdown(
    cases: list[CaseResult],
    replays: list[ReplayResult],
    startup: StartupResult,
    goals: list[Goal],
    meta: dict[str, Any],
) -> str:
    """Every table, in Markdown."""
    lines = [
        f"Latency {meta['latency_ms']:.0f} ms a call; ListDeploymentTargets pages of {meta['page_size']}; "
        f"cd-doctor runs: median of {meta['repeat']}; naive: 1 run; peak memory: a separate run at 0 ms under tracemalloc.",
        "Round trips: the longest chain of calls each starting after the previous one ended (CPU spent between calls, "
        "such as making a client, included); dependent round trips: the same in a run whose clients were made beforehand.",
        "",
        "| targets | failed | cd-doctor calls | round trips | dependent round trips | wall s | peak MiB "
        "| naive calls | round trips | wall s | peak MiB | fewer calls | faster |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for case in cases:
        ours, base = case.cd_doctor, case.naive
        row = [
            f"{case.targets:,}",
            f"{case.failed:,}",
            str(ours.calls),
            str(ours.round_trips),
            str(ours.dependency_round_trips),
            f"{ours.wall_s:.2f}",
            f"{ours.peak_mib:.1f}",
        ]
        if base is not None:
            row += [
                str(base.calls),
                str(base.round_trips),
                f"{base.wall_s:.2f}",
                f"{base.peak_mib:.1f}",
                f"{base.calls / ours.calls:.1f}x",
                f"{base.wall_s / ours.wall_s:.1f}x",
            ]
        else:
            row += ["-"] * 6
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "cd-doctor's calls by operation, and what it read in detail:",
        "",
        "| targets | failed | calls by operation | calls per dependent round trip | listed | read in detail |",
        "|---:|---:|---|---|---|---:|",
    ]
    for case in cases:
        ours = case.cd_doctor
        waves = " / ".join(str(len(wave)) for wave in ours.waves)
        listed = ", ".join(f"{key} {count}" for key, count in ours.listed.items())
        lines.append(
            f"| {case.targets:,} | {case.failed:,} | {_abbreviate(ours.calls_by_operation)} | {waves} | {listed} | "
            f"{ours.targets_in_detail} |"
        )
    if replays:
        lines += [
            "",
            "Replay of a snapshot file holding every target (median of runs; CLI: `cd-doctor --replay F --format json`, "
            "a fresh process):",
            "",
            "| targets | failed | file MiB | load s | diagnose s | render text s | render json s | total s | CLI end to end s |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for replay in replays:
            lines.append(
                f"| {replay.targets:,} | {replay.failed:,} | {replay.file_mib:.1f} | {replay.load_s:.3f} | "
                f"{replay.diagnose_s:.3f} | {replay.render_text_s:.3f} | {replay.render_json_s:.3f} | "
                f"{replay.total_s:.3f} | {replay.cli_s:.3f} |"
            )
    lines += [
        "",
        f"Start-up (median of {startup.runs} runs each, a fresh process each):",
        "",
        "| command | median s | over `python -c pass` | imports boto3 |",
        "|---|---:|---:|---|",
        f"| `python -c pass` | {startup.python_pass_s:.3f} | - | - |",
        f"| `cd-doctor --help` | {startup.help_s:.3f} | {startup.help_s - startup.python_pass_s:+.3f} | "
        f"{'yes' if startup.help_imports_boto3 else 'no'} |",
        f"| `cd-doctor --version` | {startup.version_s:.3f} | {startup.version_s - startup.python_pass_s:+.3f} | "
        f"{'yes' if startup.version_imports_boto3 else 'no'} |",
        "",
        "Goals:",
        "",
        "| goal | met | evidence |",
        "|---|---|---|",
    ]
    lines += [f"| {goal.name} | {'yes' if goal.met else '**NO**'} | {goal.evidence} |" for goal in goals]
    return "\n".join(lines) + "\n"


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


def cases_to_run(quick: bool) -> list[tuple[int, int]]:
    """(targets, failed) pairs, without duplicates (1% of 10 targets is 1 target)."""
    chosen = QUICK_CASES if quick else tuple((size, share) for size in SIZES for share in SHARES)
    pairs: list[tuple[int, int]] = []
    for size, share in chosen:
        pair = (size, failed_count(size, share))
        if pair not in pairs:
            pairs.append(pair)
    return pairs


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print Markdown (or JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds every fake AWS call takes (default 0.05)")
    parser.add_argument("--quick", action="store_true", help="a fast subset: 10/1, 1,000/1, 1,000/10, 5,000/all")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON instead of Markdown")
    parser.add_argument(
        "--page-size", type=int, default=PAGE_SIZE, help=f"ids per ListDeploymentTargets page (default {PAGE_SIZE})"
    )
    parser.add_argument(
        "--repeat", type=int, default=None, help="timed cd-doctor runs per case (median; default 3, 1 with --quick)"
    )
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 3)
    _isolate_from_real_aws()
    info = machine()
    traffic = collect_traffic
    # Warm up imports and caches that a CLI run pays before its first call, outside the timings.
    run_tool("cd-doctor", blue_green_workload(10, 1), 0.0, traffic, measure_memory=False)

    cases: list[CaseResult] = []
    for total, failed in cases_to_run(args.quick):
        naive = not (args.quick and total > QUICK_NAIVE_LIMIT)
        print(f"case {total} targets, {failed} failed ...", file=sys.stderr, flush=True)
        workload = blue_green_workload(total, failed)
        cases.append(run_case(workload, args.latency, traffic, repeat=repeat, naive=naive, page_size=args.page_size))
    print("replay ...", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="cd-doctor-bench-") as directory:
        replay_cases = ((5000, 5000),) if args.quick else ((5000, 50), (5000, 5000))
        replays = [run_replay(total, failed, Path(directory), repeat=3) for total, failed in replay_cases]
    print("start-up ...", file=sys.stderr, flush=True)
    startup = run_startup(5 if args.quick else 11)
    goals = check_goals(cases, replays, startup, args.latency)
    meta_load_end = _load_average()
    meta = {
        "latency_ms": args.latency * 1000,
        "repeat": repeat,
        "page_size": args.page_size,
        "detail_limit": DETAIL_LIMIT,
        "machine": {**info, "loadavg_at_end": meta_load_end},
        "command": " ".join(["python", "benchmarks/bench.py", *(argv if argv is not None else sys.argv[1:])]),
    }
    if args.json:
        document = {
            "meta": meta,
            "cases": [asdict(case) for case in cases],
            "replays": [asdict(replay) for replay in replays],
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
        print(markdown(cases, replays, startup, goals, meta), end="")
    return 0 if all(goal.met for goal in goals) else 1


if __name__ == "__main__":
    sys.exit(main())
