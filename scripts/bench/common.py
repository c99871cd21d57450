"""Shared pieces of the benchmark scripts: a release stack on free ports (e2e/stack.py), bench users,
rooms made through the API, the chatbench load generator, and machine-load bookkeeping.

Nothing here runs as part of `make test`; the scripts that use it are started by hand or by
`make bench`.
"""
from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "e2e"))

import requests  # noqa: E402

from stack import Stack  # noqa: E402

RELEASE = ROOT / ".build" / "release"


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so `with bench_stack()` stops every process it started."""
    def raise_interrupt(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, raise_interrupt)


def release_binaries() -> Path:
    """BIN_DIR if set, else .build/release; refuses a missing build rather than building behind your back."""
    path = Path(os.environ.get("BIN_DIR", RELEASE)).resolve()
    for svc in ("auth", "room", "relay", "mail"):
        if not os.access(path / f"{svc}-svc", os.X_OK):
            raise SystemExit(f"{path}/{svc}-svc not found: run 'make build' first (or set BIN_DIR)")
    return path


# The one change to the production nginx config: keep-alive connections are not closed after
# nginx's default 1000 requests. chatbench pipelines its publishes on a few keep-alive connections,
# and every request still queued when nginx closes one counts as a failed publish; Nchan's reference
# config sets the same directive, so both systems run with the same keep-alive behaviour.
NGINX_BENCH_DIRECTIVES = "keepalive_requests 10000000;"


class BenchStack(Stack):
    """e2e/stack.py's stack with the nginx config above; otherwise exactly the rendered template."""

    def edit_nginx_conf(self, conf: Path) -> None:
        text, n = re.subn(r"^http \{$", "http {\n    " + NGINX_BENCH_DIRECTIVES, conf.read_text(), count=1, flags=re.M)
        if n != 1:
            raise RuntimeError(f"cannot find the http block in {conf}")
        conf.write_text(text)


def raise_open_files() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit, inherited by every process the stack starts (nginx's
    `worker_rlimit_nofile` cannot go past the hard limit when the workers are not root)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def bench_stack(nginx_workers: int = 2, **env: str) -> Stack:
    """The whole app from the release build, quiet logs, and a send limit no benchmark reaches.
    nginx is rendered from the production template (access log included), plus NGINX_BENCH_DIRECTIVES."""
    raise_open_files()
    base = {"LOG_LEVEL": "warning", "SEND_RATE_PER_10S": "10000000", "PASSWORD_ITERATIONS": "1000"}
    base.update(env)
    return BenchStack(env=base, binaries=release_binaries(), nginx_workers=nginx_workers, start_timeout=60)


def bench_users(stack: Stack, count: int, prefix: str) -> list[str]:
    """Creates users <prefix>1..<prefix>count with `auth-svc bench-users` (one password iteration:
    these users never log in) and returns their `session=<token>` cookies, in order."""
    env = stack.service_env("auth", stack.procs["auth"].port)
    out = subprocess.run([str(stack.binaries / "auth-svc"), "bench-users", "--count", str(count), "--prefix", prefix,
                          "--password-iterations", "1"], env=env, capture_output=True, text=True, check=True).stdout
    cookies = [line.strip() for line in out.splitlines() if line.startswith("session=")]
    if len(cookies) != count:
        raise RuntimeError(f"bench-users printed {len(cookies)} sessions, expected {count}:\n{out[-2000:]}")
    return cookies


class Api:
    """The public API through nginx, as one user (a `session=...` cookie)."""

    def __init__(self, stack: Stack, cookie: str):
        self.url = stack.url
        self.http = requests.Session()
        self.http.headers.update({"Cookie": cookie, "Origin": stack.public_url})

    def post(self, path: str, body: dict) -> dict:
        r = self.http.post(self.url + path, json=body, timeout=30)
        if r.status_code not in (200, 201):
            raise RuntimeError(f"POST {path}: {r.status_code} {r.text[:300]}")
        return r.json()

    def group(self, name: str, usernames: list[str]) -> int:
        """A group room with the caller and `usernames` (more than 256 are added one at a time)."""
        first, rest = usernames[:256], usernames[256:]
        room = self.post("/api/rooms", {"kind": "group", "name": name, "members": first})["id"]
        for username in rest:
            self.post(f"/api/rooms/{room}/members", {"username": username})
        return room


def wait_quiet(max_load: float = 0.8, timeout: float = 120) -> float:
    """Waits (at most `timeout` s) until the 1-minute load average is below `max_load`; returns it.
    The machine is shared, so a run may have to start on a busy machine: the load is reported."""
    deadline = time.monotonic() + timeout
    while True:
        load = os.getloadavg()[0]
        if load < max_load or time.monotonic() > deadline:
            return load
        time.sleep(5)


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# ---- chatbench ---------------------------------------------------------------------------------

def bench_dir() -> Path:
    """The chatbench sources: $BENCH_DIR, else ../shared/bench beside the repo, else /work/shared/bench."""
    for candidate in (os.environ.get("BENCH_DIR"), ROOT.parent / "shared" / "bench", Path("/work/shared/bench")):
        if candidate and (Path(candidate) / "chatbench.c").exists():
            return Path(candidate).resolve()
    raise SystemExit("chatbench sources not found: set BENCH_DIR")


def chatbench_build() -> Path:
    """Copies the chatbench sources into .build/chatbench (the source folder may be read-only) and
    builds them there with its own Makefile. The copy also holds systems.sh and the Nchan configs."""
    src, dst = bench_dir(), ROOT / ".build" / "chatbench"
    dst.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if f.is_file() and (not (dst / f.name).exists() or f.stat().st_mtime > (dst / f.name).stat().st_mtime):
            shutil.copy2(f, dst / f.name)
            (dst / f.name).chmod(0o755 if f.suffix in ("", ".sh") else 0o644)
    subprocess.run(["make", "-s", "-C", str(dst), "chatbench", "limitsrv"], check=True)
    return dst


def chatbench(tool: Path, args: list[str], label: str, timeout: float = 1800) -> list[dict]:
    """Runs chatbench; returns its JSON lines (the last one is the result)."""
    argv = [str(tool / "chatbench"), "--label", label] + args
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"chatbench {label} failed ({proc.returncode}):\n{proc.stderr[-3000:]}\n{proc.stdout[-2000:]}")
    return lines


class Systems:
    """The Nchan / limitsrv reference systems through chatbench's own systems.sh, scratch in .build."""

    def __init__(self, tool: Path):
        self.tool = tool
        self.env = dict(os.environ, BENCH=str(tool / ".scratch"))

    def run(self, *args: str) -> str:
        return subprocess.run([str(self.tool / "systems.sh"), *args], env=self.env, capture_output=True, text=True,
                              check=True).stdout.strip()

    def start(self, system: str, workers: int = 2) -> None:
        if system.startswith("nchan") and not Path("/usr/lib/nginx/modules/ngx_nchan_module.so").exists():
            raise SystemExit("Nchan is missing: apt-get install -y libnginx-mod-nchan (the reference system)")
        raise_open_files()
        self.run("start", system, str(workers))

    def stop(self, system: str) -> None:
        subprocess.run([str(self.tool / "systems.sh"), "stop", system], env=self.env, capture_output=True)

    def pids(self, system: str) -> str:
        return self.run("pids", system)


def median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def results_dir(name: str) -> Path:
    path = ROOT / "test-output" / "bench" / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}"
    path.mkdir(parents=True, exist_ok=True)
    return path
