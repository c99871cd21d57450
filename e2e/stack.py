"""A complete running app for tests: redis-server, the four services and nginx on free loopback
ports, in a temporary DATA_DIR. nginx is rendered from deploy/nginx.conf.template, the same
template `make run` and docker-compose use.

    with Stack() as stack:
        requests.get(stack.url + "/login")

Binaries come from $BIN_DIR (default .build/debug). Every process is started here and stopped
here, by its pid. Each process writes its output to <tmp>/logs/<name>.log; set KEEP_STACK=1 to
keep the temp folder for a look after the run.
"""
from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("auth", "room", "relay", "mail")


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    return free_ports(1)[0]


def free_ports(n: int) -> list[int]:
    """n different TCP ports that were free a moment ago on 127.0.0.1. They are held open together
    while picked: ports picked one by one can repeat, as the kernel may hand out a just-closed one."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def bin_dir() -> Path:
    return Path(os.environ.get("BIN_DIR", ROOT / ".build" / "debug")).resolve()


def require_binary(path: Path | str, install: str) -> str:
    """The path of an executable, or a failure that says what to install."""
    found = shutil.which(str(path))
    if not found:
        raise RuntimeError(f"{path} not found: {install}")
    return found


def http_status(url: str, timeout: float = 1.0) -> int | None:
    """The status of a GET, or None when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except (OSError, ValueError):
        return None


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, then SIGKILL after `timeout` seconds; returns the exit status."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
        return self.popen.wait()


def start_process(name: str, argv: list[str], env: dict[str, str], logs: Path, port: int | None = None) -> Process:
    log_path = logs / f"{name}.log"
    out = open(log_path, "ab")
    popen = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=ROOT)
    out.close()
    return Process(name, popen, log_path, port)


def start_redis(directory: Path, logs: Path, port: int | None = None, password: str | None = None,
                conf: Path | None = None) -> Process:
    """redis-server on a free port (or `port`), asking clients for `password` if one is given, with
    `conf` as its config file if one is given."""
    exe = require_binary("redis-server", "run 'make deps' (installs redis-server)")
    directory.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    argv = [exe] + ([str(conf)] if conf else []) + [
        "--bind", "127.0.0.1", "--port", str(port), "--dir", str(directory),
        "--appendonly", "yes", "--save", "", "--daemonize", "no", "--logfile", ""]
    proc = start_process("redis", argv + (["--requirepass", password] if password else []), dict(os.environ), logs, port)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith((b"+PONG", b"-NOAUTH")):  # NOAUTH: up, and asking for the password
                    return proc
        except OSError:
            pass
        if not proc.alive():
            break
        time.sleep(0.05)
    proc.stop()
    raise RuntimeError(f"redis-server did not start:\n{proc.log()}")


@dataclass
class Stack:
    """The app on free ports. `env` adds to (or overrides) every service's environment."""
    env: dict[str, str] = field(default_factory=dict)
    relays: int = 1
    smtp_url: str | None = None
    binaries: Path = field(default_factory=bin_dir)
    nginx_workers: int = 2
    start_timeout: float = 30.0

    def __post_init__(self) -> None:
        self.procs: dict[str, Process] = {}
        self.order: list[str] = []
        self.startup_ms: dict[str, float] = {}
        self.tmp: Path | None = None
        self.port = 0
        # Redis asks for a password, as under `make run`: every test exercises AUTH.
        self.redis_password = "pw-" + secrets.token_hex(12)

    # -- paths and addresses -------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def public_url(self) -> str:
        return self.url

    @property
    def data_dir(self) -> Path:
        assert self.tmp
        return self.tmp / "data"

    @property
    def logs(self) -> Path:
        assert self.tmp
        return self.tmp / "logs"

    @property
    def redis_url(self) -> str:
        return f"redis://:{self.redis_password}@127.0.0.1:{self.procs['redis'].port}"

    def socket_path(self, instance: str) -> Path:
        """The Unix socket a service instance also listens on; nginx reaches it there, as in `make run`."""
        assert self.tmp
        return self.tmp / "run" / f"{instance}.sock"

    def service_url(self, name: str) -> str:
        """Direct address of a service (bypassing nginx)."""
        return f"http://127.0.0.1:{self.procs[name].port}"

    def service_env(self, name: str, port: int) -> dict[str, str]:
        env = dict(os.environ)
        env.update({
            "LISTEN": f"127.0.0.1:{port}",
            "DATA_DIR": str(self.data_dir),
            "REDIS_URL": self.redis_url,
            "PUBLIC_URL": self.public_url,
            "LOG_LEVEL": "debug",
            "PASSWORD_ITERATIONS": "1000",
            "ROOM_SVC_URL": self.service_url("room") if "room" in self.procs else "",
            "MAIL_FROM": "chat@example.test",
        })
        if self.smtp_url:
            env["SMTP_URL"] = self.smtp_url
        env.update(self.env)
        return {k: v for k, v in env.items() if v != ""}

    # -- lifecycle -----------------------------------------------------------------------------
    def __enter__(self) -> "Stack":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> "Stack":
        self.tmp = Path(tempfile.mkdtemp(prefix="chat-e2e-"))
        # nginx workers run as an unprivileged user and read media files from here.
        os.chmod(self.tmp, 0o755)
        self.logs.mkdir()
        (self.data_dir / "media").mkdir(parents=True)
        os.chmod(self.data_dir, 0o755)
        os.chmod(self.data_dir / "media", 0o755)
        (self.tmp / "run").mkdir(mode=0o755)
        self.port = free_port()
        try:
            self._add(start_redis(self.tmp / "redis", self.logs, password=self.redis_password))
            for name in ("auth", "room", "mail"):
                self.start_service(name)
            for i in range(self.relays):
                self.start_service("relay", instance=f"relay{i + 1}" if self.relays > 1 else "relay")
            self.wait_services()
            self.start_nginx()
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _add(self, proc: Process) -> None:
        self.procs[proc.name] = proc
        self.order.append(proc.name)

    def start_service(self, name: str, instance: str | None = None, port: int | None = None) -> Process:
        exe = self.binaries / f"{name}-svc"
        if not os.access(exe, os.X_OK):
            raise RuntimeError(f"{exe} not found: run 'swift build' (or set BIN_DIR)")
        instance = instance or name
        port = port or free_port()
        env = self.service_env(name, port)
        if name == "relay":
            env.setdefault("RELAY_INSTANCE", f"{instance}-e2e")
        if name != "mail":  # mail-svc answers only health checks, over TCP
            env["LISTEN_UNIX"] = str(self.socket_path(instance))
        proc = start_process(instance, [str(exe)], env, self.logs, port)
        self._add(proc)
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Sends `sig` to a process and waits for it to end (a crash, with SIGKILL)."""
        proc = self.procs[name]
        proc.popen.send_signal(sig)
        proc.popen.wait(15)

    def restart(self, name: str, poll: float = 0.02) -> Process:
        """Starts a stopped process again on its old port (same data, same instance name); a service is
        back when its /healthz answers 200 (asked every `poll` seconds)."""
        old = self.procs[name]
        assert not old.alive(), f"{name} is still running"
        if name == "redis":
            proc = start_redis(self.tmp / "redis", self.logs, port=old.port, password=self.redis_password)
        else:
            service = "relay" if name.startswith("relay") else name
            proc = self.start_service(service, instance=name, port=old.port)
            self.order.remove(name)  # start_service appended it again
        self.procs[name] = proc
        if name != "redis":
            deadline = time.monotonic() + self.start_timeout
            while http_status(f"http://127.0.0.1:{proc.port}/healthz", timeout=1) != 200:
                if not proc.alive() or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not come back:\n{proc.log()[-4000:]}")
                time.sleep(poll)
        return proc

    def relay_names(self) -> list[str]:
        return [n for n in self.order if n.startswith("relay")]

    def start_nginx(self) -> Process:
        exe = require_binary("nginx", "run 'make deps' (installs nginx)")
        prefix = self.tmp / "nginx"
        conf = prefix / "nginx.conf"
        unix = lambda name: f"unix:{self.socket_path(name)}"
        env = dict(os.environ)
        env.update({
            "NGINX_LISTEN": f"127.0.0.1:{self.port}",
            "NGINX_PREFIX": str(prefix),
            "NGINX_WORKERS": str(self.nginx_workers),
            "WEB_ROOT": os.environ.get("WEB_ROOT", str(ROOT / "web")),
            "MEDIA_ROOT": str(self.data_dir / "media"),
            "AUTH_ADDR": unix("auth"),
            "ROOM_ADDR": unix("room"),
            "MAIL_ADDR": f"127.0.0.1:{self.procs['mail'].port}",
            "RELAY_ADDRS": " ".join(unix(n) for n in self.relay_names()),
        })
        subprocess.run([str(ROOT / "deploy" / "render-nginx.sh"), str(ROOT / "deploy" / "nginx.conf.template"), str(conf)],
                       env=env, check=True)
        self.edit_nginx_conf(conf)
        argv = [exe, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log")]
        subprocess.run(argv + ["-t", "-q"], check=True)
        proc = start_process("nginx", argv, env, self.logs, self.port)
        self._add(proc)
        return proc

    def edit_nginx_conf(self, conf: Path) -> None:
        """Changes the rendered nginx.conf before nginx starts; the benchmarks add directives."""

    def wait_services(self) -> None:
        """Until every service answers its own /healthz (so nginx never meets a closed port)."""
        deadline = time.monotonic() + self.start_timeout
        for name in self.order:
            proc = self.procs[name]
            if name == "redis":
                continue
            while http_status(f"http://127.0.0.1:{proc.port}/healthz", timeout=1) != 200:
                if not proc.alive():
                    raise RuntimeError(f"{name} exited with status {proc.popen.returncode} during start:\n"
                                       f"{proc.log()[-4000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not answer /healthz within {self.start_timeout} s:\n{proc.log()[-4000:]}")
                time.sleep(0.01)

    def wait_ready(self) -> None:
        """Until nginx and each service answer /healthz through nginx."""
        started = time.monotonic()
        deadline = started + self.start_timeout
        for name in ("nginx", "auth", "room", "relay", "mail"):
            while http_status(f"{self.url}/_health/{name}", timeout=1) != 200:
                for proc in self.procs.values():
                    if not proc.alive():
                        raise RuntimeError(f"{proc.name} exited with status {proc.popen.returncode} during start:\n"
                                           f"{proc.log()[-4000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not answer {self.url}/_health/{name} within {self.start_timeout} s")
                time.sleep(0.02)
            self.startup_ms[name] = (time.monotonic() - started) * 1000

    def stop(self) -> dict[str, int]:
        """Stops every process in reverse start order; returns their exit statuses."""
        statuses: dict[str, int] = {}
        for name in reversed(self.order):
            statuses[name] = self.procs[name].stop()
        self.procs.clear()
        self.order.clear()
        if self.tmp and not os.environ.get("KEEP_STACK"):
            shutil.rmtree(self.tmp, ignore_errors=True)
        return statuses

    def log(self, name: str) -> str:
        return self.procs[name].log()

    def log_tails(self, lines: int = 40) -> str:
        """The last lines of every process's output and of nginx's error log, for failure reports."""
        parts = []
        for name in self.order:
            tail = self.procs[name].log().splitlines()[-lines:]
            parts.append(f"----- {name} (pid {self.procs[name].pid}) -----\n" + "\n".join(tail))
        error_log = self.tmp / "nginx" / "logs" / "error.log" if self.tmp else None
        if error_log and error_log.exists():
            parts.append("----- nginx error.log -----\n" + "\n".join(error_log.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(parts)
