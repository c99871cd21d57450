"""How the app is run: each service's start and stop, `make run` (deploy/run-local.sh) and the
pieces of docker-compose.yml that run without Docker. Everything runs for real: redis-server, the
built services, nginx."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from person import register
from stack import ROOT, SERVICES, Stack, free_port, free_ports, http_status, start_process, start_redis
from webpages import png, process_tree


# ---- process behaviour -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lone_redis(tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs")
    proc = start_redis(tmp_path_factory.mktemp("redis"), logs)
    yield proc
    proc.stop()


@pytest.mark.parametrize("name", SERVICES)
def test_service_starts_fast_and_stops_on_sigterm(stack, lone_redis, tmp_path, name):
    port = free_port()
    env = dict(os.environ, LISTEN=f"127.0.0.1:{port}", DATA_DIR=str(tmp_path), REDIS_URL=f"redis://127.0.0.1:{lone_redis.port}",
               PUBLIC_URL="http://127.0.0.1:1", PASSWORD_ITERATIONS="1000", ROOM_SVC_URL=stack.service_url("room"),
               LOG_LEVEL="info")
    started = time.monotonic()
    proc = start_process(name, [str(stack.binaries / f"{name}-svc")], env, tmp_path, port)
    try:
        while http_status(f"http://127.0.0.1:{port}/healthz", timeout=0.5) != 200:
            assert proc.alive(), f"{name}-svc exited with {proc.popen.returncode}:\n{proc.log()}"
            assert time.monotonic() - started < 10, f"{name}-svc did not answer /healthz within 10 s"
            time.sleep(0.005)
        ms = (time.monotonic() - started) * 1000
        print(f"{name}-svc: /healthz answered {ms:.0f} ms after start")
        sent = time.monotonic()
        proc.popen.send_signal(signal.SIGTERM)
        code = proc.popen.wait(timeout=15)
        print(f"{name}-svc: exited {code} {(time.monotonic() - sent) * 1000:.0f} ms after SIGTERM")
        assert code == 0, proc.log()
    finally:
        if proc.alive():
            proc.popen.kill()
            proc.popen.wait()


def command_lines() -> list[str]:
    """Every process's command line, as any local user can read them."""
    lines = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:  # ended meanwhile
            pass
    return lines


def test_run_local_starts_everything_and_stops_on_sigterm(tmp_path):
    names = ("PORT", "REDIS_PORT")
    ports = dict(zip(names, free_ports(len(names))))
    # nginx's workers (nobody) reach the media and the sockets: pytest's tmp_path is private to root.
    top = Path(tempfile.mkdtemp(prefix="chat-run-"))
    top.chmod(0o755)
    data, sockets = top / "var", top / "sockets"
    env = dict(os.environ, DATA_DIR=str(data), BIN_DIR=str(Stack().binaries), PASSWORD_ITERATIONS="1000",
               NGINX_WORKERS="1", SOCKET_DIR=str(sockets), **{k: str(v) for k, v in ports.items()})
    env.pop("REDIS_URL", None)
    log = tmp_path / "run-local.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(ROOT / "deploy" / "run-local.sh")], env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while "ready:" not in log.read_text(errors="replace"):
            assert proc.poll() is None, f"run-local.sh exited {proc.returncode}:\n{log.read_text()}"
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        base = f"http://127.0.0.1:{ports['PORT']}"
        for name in ("nginx",) + SERVICES:
            assert http_status(f"{base}/_health/{name}") == 200, name
        assert (data / "redis" / "appendonlydir").is_dir() or list((data / "redis").glob("*.aof*"))
        # nginx's workers read the media.
        session = register(SimpleNamespace(url=base), "local").api
        r = session.put("/api/auth/me/avatar", data=png(1, 1), headers={"Content-Type": "image/png"})
        assert r.status_code == 200, r.text
        assert session.get(r.json()["avatar_url"]).content == png(1, 1)
        # Nobody else may read the data, or reach the services (which listen on Unix sockets only and
        # trust the identity headers nginx sets).
        ours = [f"pid={pid}," for pid in process_tree(proc.pid)]
        listening = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout.splitlines()
        tcp = [line for line in listening if any(pid in line for pid in ours)]
        assert tcp and not [line for line in tcp if "-svc" in line], tcp  # nginx and Redis only
        for folder in (data, sockets):
            assert folder.stat().st_mode & 0o777 == 0o750 and folder.group() == "nogroup", folder
        for code in ("open(sys.argv[1] + '/chat.db').read(1)", "socket.socket(socket.AF_UNIX).connect(sys.argv[2])"):
            stranger = subprocess.run(["/usr/bin/python3", "-c", "import socket, sys; " + code, str(data),
                                       str(sockets / "room.sock")], user="daemon", capture_output=True, text=True)
            assert stranger.returncode != 0 and "PermissionError" in stranger.stderr, (code, stranger.stderr)
        # nginx's workers (nobody:nogroup) enter DATA_DIR for the media and may read nothing else there.
        media = [p for p in (data / "media").rglob("*") if p.is_file()]
        database = [data / name for name in ("chat.db", "chat.db-wal", "chat.db-shm")]
        assert media and all(p.exists() for p in database), (media, database)
        for path in media + database:
            worker = subprocess.run(["/usr/bin/python3", "-c", "import sys; open(sys.argv[1], 'rb').read(1)", str(path)],
                                    user="nobody", group="nogroup", capture_output=True, text=True)
            assert (worker.returncode == 0) == (path in media), (path, worker.stderr)
        # Its Redis asks for a password, which only the owner can read and which no log or command line shows.
        with socket.create_connection(("127.0.0.1", ports["REDIS_PORT"]), timeout=5) as s:
            s.sendall(b"GET anything\r\n")
            assert s.recv(64).startswith(b"-NOAUTH"), "Redis answered without a password"
        conf = data / "redis" / "redis.conf"
        assert conf.stat().st_mode & 0o077 == 0, oct(conf.stat().st_mode)
        password = conf.read_text().split()[1]
        assert len(password) >= 32
        assert password not in log.read_text(errors="replace")
        assert not [line for line in command_lines() if password in line]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, log.read_text()
        # A clean stop is quiet: Redis goes last, so no service loses it while stopping.
        assert "level=error" not in log.read_text(errors="replace"), log.read_text()
        for key, port in ports.items():
            assert http_status(f"http://127.0.0.1:{port}/healthz", timeout=0.5) is None, f"{key} {port} still answers"
        assert not list(sockets.glob("*.sock")), "the services leave no socket behind"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(top, ignore_errors=True)


def test_compose_redis_secret_job_and_a_service_reading_the_password_file(stack, tmp_path):
    """docker-compose.yml's `redis-secret` job, its Redis command and a service's REDIS_PASSWORD_FILE,
    run here without Docker (the uids are those of two local users instead of the images' ones)."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    owners = {"APP_UID": "1", "REDIS_UID": "2"}  # daemon, bin
    job = ["sh", str(ROOT / "deploy" / "redis-secret.sh")]
    env = dict(os.environ, SECRETS_DIR=str(secrets), **owners)
    subprocess.run(job, env=env, check=True, capture_output=True)
    password = (secrets / "redis-password").read_text()
    assert len(password) == 48 and int(password, 16) >= 0
    assert (secrets / "redis.conf").read_text() == f"requirepass {password}\n"
    for name, uid in (("redis-password", 1), ("redis.conf", 2)):
        info = (secrets / name).stat()
        assert (info.st_uid, info.st_mode & 0o777) == (uid, 0o400), name
    subprocess.run(job, env=env, check=True, capture_output=True)
    assert (secrets / "redis-password").read_text() == password, "a second run keeps the password"
    assert sorted(p.name for p in secrets.iterdir()) == ["redis-password", "redis.conf"]

    redis = start_redis(tmp_path / "redis", tmp_path, conf=secrets / "redis.conf")
    try:
        with socket.create_connection(("127.0.0.1", redis.port), timeout=5) as s:
            s.sendall(b"PING\r\n")
            assert s.recv(64).startswith(b"-NOAUTH"), "Redis answered without a password"
        # The relay checks both of its Redis links (commands and subscriber) in /healthz.
        for password_file, healthy in ((str(secrets / "redis-password"), 200), ("", 503)):
            relay_port = free_port()
            relay_env = dict(os.environ, LISTEN=f"127.0.0.1:{relay_port}", REDIS_URL=f"redis://127.0.0.1:{redis.port}",
                             REDIS_PASSWORD_FILE=password_file, PUBLIC_URL="http://127.0.0.1:1",
                             ROOM_SVC_URL=stack.service_url("room"), LOG_LEVEL="info")
            relay = start_process("relay", [str(stack.binaries / "relay-svc")], relay_env, tmp_path, relay_port)
            try:
                deadline = time.monotonic() + 10
                status = None
                while status != healthy and time.monotonic() < deadline:
                    assert relay.alive(), relay.log()
                    time.sleep(0.1)
                    status = http_status(f"http://127.0.0.1:{relay_port}/healthz", timeout=1)
                assert status == healthy, (password_file, status, relay.log())
                assert password not in relay.log()
            finally:
                relay.stop()
    finally:
        redis.stop()


def test_compose_services_sit_on_an_internal_network():
    """The services trust the identity headers nginx sets. Under docker-compose they sit on a network
    with no route out of the host; only nginx publishes a port, and only nginx and mail-svc (outgoing
    SMTP) are also on a routed network. (No Docker engine runs here: `make check-config` validates
    the file, this checks its layout.)"""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["networks"]["internal"] == {"internal": True}
    assert compose["networks"]["edge"] is None or not compose["networks"]["edge"].get("internal")
    services = compose["services"]
    assert services.pop("redis-secret")["network_mode"] == "none"
    assert [name for name, s in services.items() if "ports" in s] == ["nginx"]
    routed = {name: s.get("networks") for name, s in services.items() if s.get("networks") != ["internal"]}
    assert routed == {"nginx": ["internal", "edge"], "mail": ["internal", "edge"]}
    # Some engines route a container (and publish its ports) through its first network by name.
    assert min(compose["networks"]) == "edge"
    assert set(services) == {"redis", "auth", "room", "relay", "mail", "nginx"}, "a new service needs its networks here"
