"""Test helpers for relay-svc: rooms and messages made through the API, and sockets whose frames a thread reads.

A `Tab` is one browser tab's socket. A reader thread takes every frame off the wire as it comes (so a
slow test never turns into a slow reader) and keeps them in order; tests wait for the frames they
expect and check the ones they must never see.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from contextlib import ExitStack

from person import Person


def group(owner: Person, *members: Person, name: str = "room") -> int:
    r = owner.api.post("/api/rooms", json={"kind": "group", "name": name, "members": [m.username for m in members]})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def send(person: Person, room: int, body: str, client_id: str | None = None) -> dict:
    r = person.api.post(f"/api/rooms/{room}/messages", json={"body": body, "client_id": client_id or secrets.token_hex(8)})
    assert r.status_code in (200, 201), r.text
    return r.json()


def history_after(person: Person, room: int, after: int) -> list[dict]:
    """Every message newer than `after`, page by page (what the page does on reconnect or resync)."""
    found: list[dict] = []
    while True:
        r = person.api.get(f"/api/rooms/{room}/messages", params={"after": after, "limit": 100})
        assert r.status_code == 200, r.text
        page = r.json()
        found += page["messages"]
        if not page["has_more"] or not page["messages"]:
            return found
        after = page["messages"][-1]["id"]


class Tab:
    """One WebSocket, either through nginx (`via_nginx`, with the session cookie) or straight to a
    relay's own port (with the identity header nginx would set)."""

    def __init__(self, stack, person: Person, relay: str | None = None, read: bool = True):
        from websockets.sync.client import connect

        if relay is None:
            url = stack.url.replace("http://", "ws://") + "/ws"
            headers = {"Cookie": person.cookie}
        else:
            url = f"ws://127.0.0.1:{stack.procs[relay].port}/ws"
            headers = {"X-User-Id": str(person.id), "X-Username": person.username}
        self.person = person
        # Held open as a context manager, which websockets asks of a connection since 17.1.
        self._open = ExitStack()
        self.ws = self._open.enter_context(connect(url, origin=stack.url, additional_headers=headers, open_timeout=10,
                                                   max_size=2 ** 22, close_timeout=2))
        self.frames: list[dict] = []
        self.close_code: int | None = None
        self.closed = threading.Event()
        self._changed = threading.Condition()
        if read:
            threading.Thread(target=self._read, daemon=True).start()
            self.hello = self.wait("hello")

    def _read(self) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            for text in self.ws:
                with self._changed:
                    self.frames.append(json.loads(text))
                    self._changed.notify_all()
        except ConnectionClosed as e:
            self.close_code = e.rcvd.code if e.rcvd else None
        finally:
            with self._changed:
                self.closed.set()
                self._changed.notify_all()

    def of(self, kind: str) -> list[dict]:
        with self._changed:
            return [f for f in self.frames if f["type"] == kind]

    def wait(self, kind: str, count: int = 1, timeout: float = 10, where=lambda f: True) -> dict:
        """Waits until `count` frames of `kind` matching `where` arrived; returns the last of them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                matching = [f for f in self.frames if f["type"] == kind and where(f)]
                if len(matching) >= count:
                    return matching[count - 1]
                left = deadline - time.monotonic()
                if left <= 0 or self.closed.is_set():
                    raise AssertionError(f"{self.person.username}: {len(matching)} of {count} {kind} frames "
                                         f"(closed={self.closed.is_set()}, code={self.close_code}); got "
                                         f"{[f['type'] for f in self.frames][-20:]}")
                self._changed.wait(left)

    def send(self, frame: dict) -> None:
        self.ws.send(json.dumps(frame))

    def close(self) -> None:
        self._open.close()


class Follower:
    """A client that behaves as the chat page does: it reconnects after a drop (with backoff), and
    after every hello or resync fetches `after=<last id>`; messages are merged by id."""

    def __init__(self, stack, person: Person, room: int):
        self.stack, self.person, self.room = stack, person, room
        self.messages: dict[int, dict] = {}
        self.connects = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _last(self) -> int:
        with self._lock:
            return max(self.messages, default=0)

    def _add(self, messages: list[dict]) -> None:
        with self._lock:
            for m in messages:
                self.messages.setdefault(m["id"], m)

    def _catch_up(self) -> None:
        self._add(history_after(self.person, self.room, self._last()))

    def _run(self) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidStatus
        from websockets.sync.client import connect

        url = self.stack.url.replace("http://", "ws://") + "/ws"
        delay = 0.1
        while not self._stop.is_set():
            try:
                with connect(url, origin=self.stack.url, additional_headers={"Cookie": self.person.cookie},
                             open_timeout=5, close_timeout=1) as ws:
                    self.connects += 1
                    delay = 0.1
                    while not self._stop.is_set():
                        try:
                            frame = json.loads(ws.recv(timeout=0.5))
                        except TimeoutError:
                            continue
                        if frame["type"] in ("hello", "resync"):
                            self._catch_up()
                        elif frame["type"] == "message" and frame["room_id"] == self.room:
                            self._add([frame["message"]])
            except (ConnectionClosed, InvalidStatus, OSError):
                pass
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def wait_for(self, count: int, timeout: float) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    break
            time.sleep(0.05)
        with self._lock:
            return sorted(self.messages)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
