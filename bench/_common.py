"""Shared helpers for the benchmark scripts (not tests): scratch databases, timing, machine description.

Every script prints its section of BENCHMARKS.md (markdown) on stdout and progress on stderr, so
`bench/run_all.py` can collect the sections. Scratch data lives under /tmp/cme-bench-* (never the developers'
`var/`); the database is chosen by `--db sqlite|postgres`.
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
SCRATCH = Path(os.environ.get("CME_BENCH_DIR", "/tmp"))  # noqa: S108 - scratch databases, never var/
PG_URL = os.environ.get("CME_BENCH_PG_URL", "postgres://cme_ci:cme_ci@127.0.0.1:5432/cme_bench")


def scratch(name: str, db: str = "sqlite") -> dict[str, str]:
    """Environment for a scratch database called `name` (a folder under /tmp; PostgreSQL: the cme_bench database)."""
    var = SCRATCH / f"cme-bench-{name}"
    var.mkdir(parents=True, exist_ok=True)
    url = PG_URL if db == "postgres" else f"sqlite:///{var / 'db.sqlite3'}"
    return {"CME_VAR_DIR": str(var), "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "cme.settings.dev",
            "DEBUG": "False"}


def use(env: dict[str, str]) -> None:
    """Point this process at a scratch database and start Django."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def reset_database(env: dict[str, str]) -> None:
    """An empty scratch database (SQLite: delete the file; PostgreSQL: drop and recreate the public schema)."""
    url = env["DATABASE_URL"]
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite://"))
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def manage(env: dict[str, str], *args: str, quiet: bool = True) -> Usage:
    """Run `manage.py args` in a child process against the scratch database; returns its resource usage."""
    return run_child([PYTHON, "manage.py", *args], env=env, quiet=quiet)


@dataclass
class Usage:
    wall: float = 0.0
    cpu: float = 0.0
    peak_rss_mb: float = 0.0
    load: float = 0.0
    output: str = ""


def run_child(command: list[str], *, env: dict[str, str] | None = None, quiet: bool = False) -> Usage:
    """Run a child process; wall time, CPU time (user+sys) from wait4, peak RSS as `wait_measured` says."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})},  # noqa: S603 - our own scripts
                               stdout=subprocess.PIPE if quiet else sys.stderr, stderr=subprocess.STDOUT, text=True)
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stdout.read() if process.stdout else ""))
    if quiet:
        reader.start()
    status, cpu, peak_mb = wait_measured(process)
    if quiet:
        reader.join()
    output = "".join(chunks)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        sys.stderr.write(output[-4000:])
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    return Usage(wall, cpu, peak_mb, os.getloadavg()[0], output)


def _high_water_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def wait_measured(process: subprocess.Popen[Any], *, every: float = 0.1) -> tuple[int, float, float]:
    """Wait for `process`; return its exit status, CPU seconds (user + system) and peak RSS in MB.

    The peak is the child's own high-water mark (`VmHWM` in /proc/PID/status, read every `every` seconds
    until it exits; it only grows, so only growth in the last interval can be missed), not wait4's
    `ru_maxrss`: Linux starts a child's `ru_maxrss` at its parent's RSS when it forks, so a child of a big
    benchmark process (the linkage bench holds the generated files) would be charged for its parent.
    Without /proc (or for a child too quick to sample) `ru_maxrss` is the fallback.
    """
    peak_kb = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak_kb = max(peak_kb, _high_water_kb(process.pid))
        time.sleep(every)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_utime + usage.ru_stime, (peak_kb or usage.ru_maxrss) / 1024


@dataclass
class Stopwatch:
    """Wall and CPU time of this process for a block, and the load average at its end."""

    wall: float = 0.0
    cpu: float = 0.0
    load: float = 0.0
    marks: list[tuple[str, float, float]] = field(default_factory=list)

    @staticmethod
    def cpu_now() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime


@contextlib.contextmanager
def stopwatch() -> Iterator[Stopwatch]:
    watch = Stopwatch()
    wall0, cpu0 = time.perf_counter(), Stopwatch.cpu_now()
    try:
        yield watch
    finally:
        watch.wall = time.perf_counter() - wall0
        watch.cpu = Stopwatch.cpu_now() - cpu0
        watch.load = os.getloadavg()[0]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> tuple[float, float]:
    """This process's resident set now and its high-water mark so far (MB), from /proc (0 without it)."""
    found = {"VmRSS": 0, "VmHWM": 0}
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status", encoding="utf-8") as handle:
        for line in handle:
            key = line.split(":", 1)[0]
            if key in found:
                found[key] = int(line.split()[1])
    return found["VmRSS"] / 1024, found["VmHWM"] / 1024


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rate(rows: float, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def machine() -> str:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError), open("/proc/meminfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB"
    pg = ""
    with contextlib.suppress(Exception):
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True,  # noqa: S607
                            check=False).stdout.strip()
    return (f"{os.cpu_count()} CPUs ({cpu}), {memory} RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, SQLite (Python sqlite3), {pg or 'PostgreSQL client not found'}")
