"""relay-svc with real sockets: two relay instances, a private redis-server, nginx in front.

Timers are short here (presence TTL 3 s, offline debounce 1 s) so that crash and expiry cases run in
seconds; the logic is the same as with the defaults.
"""
from __future__ import annotations

import json
import socket
import time

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from person import register
from relay_client import Follower, Tab, group, history_after, send
from stack import Stack

TTL = 3
DEBOUNCE = 1


@pytest.fixture(scope="module")
def rs(smtp):
    """A stack with two relays (relay1, relay2) and short presence timers."""
    s = Stack(relays=2, nginx_workers=1, smtp_url=smtp.url,
              env={"PRESENCE_TTL": str(TTL), "OFFLINE_DEBOUNCE": str(DEBOUNCE), "SEND_RATE_PER_10S": "100000"})
    s.start()
    yield s
    statuses = s.stop()
    assert all(code == 0 for code in statuses.values()), statuses


def close_all(*tabs: Tab) -> None:
    for tab in tabs:
        tab.close()


# ---- delivery -------------------------------------------------------------------------------------------
def test_each_member_socket_gets_each_message_exactly_once(rs):
    a, b, outsider = register(rs), register(rs), register(rs)
    room = group(a, b, name="once")
    tabs = [Tab(rs, a, "relay1"), Tab(rs, a, "relay2"), Tab(rs, b, "relay1"), Tab(rs, b, "relay1")]
    stranger = Tab(rs, outsider, "relay1")
    try:
        assert room in tabs[0].hello["rooms"] and room not in stranger.hello["rooms"]
        sent = [send(a if i % 2 else b, room, f"m{i}")["id"] for i in range(30)]
        for tab in tabs:
            tab.wait("message", count=30)
        time.sleep(0.3)  # anything extra would have arrived by now
        for tab in tabs:
            got = [f["message"]["id"] for f in tab.of("message")]
            assert got == sent, f"{tab.person.username}: {got}"
            assert all(f["room_id"] == room for f in tab.of("message"))
        assert stranger.of("message") == []
    finally:
        close_all(*tabs, stranger)


def test_added_member_starts_receiving_and_leaver_stops_at_once(rs):
    a, b = register(rs), register(rs)
    room = group(a, name="live membership")
    tab_b = Tab(rs, b, "relay2")
    try:
        send(a, room, "before b joined")
        r = a.api.post(f"/api/rooms/{room}/members", json={"username": b.username})
        assert r.status_code == 200, r.text
        assert tab_b.wait("room")["room"]["id"] == room
        send(a, room, "after b joined")
        assert tab_b.wait("message")["message"]["body"] == "after b joined"
        assert b.api.delete(f"/api/rooms/{room}/members/me", headers={"Content-Type": "application/json"}).status_code == 204
        assert tab_b.wait("room_left")["room_id"] == room
        send(a, room, "after b left")
        time.sleep(0.5)
        assert [f["message"]["body"] for f in tab_b.of("message")] == ["after b joined"]
    finally:
        tab_b.close()


def test_two_relay_instances_deliver_across_each_other(rs):
    a, b = register(rs), register(rs)
    room = group(a, b, name="across")
    on1, on2 = Tab(rs, a, "relay1"), Tab(rs, b, "relay2")
    try:
        first = send(a, room, "from a")
        second = send(b, room, "from b")
        for tab in (on1, on2):
            tab.wait("message", count=2)
            assert [f["message"]["id"] for f in tab.of("message")] == [first["id"], second["id"]]
    finally:
        close_all(on1, on2)


def test_redis_restart_gives_resync_and_catch_up_fills_the_gap(rs):
    a, b = register(rs), register(rs)
    room = group(a, b, name="resync")
    tabs = [Tab(rs, b, "relay1"), Tab(rs, b, "relay2")]
    try:
        last_seen = send(a, room, "before the outage")["id"]
        for tab in tabs:
            tab.wait("message")
        rs.kill("redis")
        # Sent while Redis is down: stored by room-svc, but no event can go out.
        missed = [send(a, room, f"during the outage {i}")["id"] for i in range(5)]
        rs.restart("redis")
        for tab in tabs:
            tab.wait("resync", timeout=20)
        caught_up = [m["id"] for m in history_after(b, room, last_seen)]
        assert caught_up[:5] == missed
        after = send(a, room, "after the outage")["id"]
        for tab in tabs:
            tab.wait("message", where=lambda f: f["message"]["id"] == after)
    finally:
        close_all(*tabs)


def test_slow_reader_is_cut_off_without_delaying_the_others(rs):
    a, b, slow = register(rs), register(rs), register(rs)
    room = group(a, b, slow, name="slow")
    fast = Tab(rs, b, "relay1")
    # A client that completes the handshake and then never reads, with a tiny receive buffer.
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect(("127.0.0.1", rs.procs["relay1"].port))
    raw.sendall((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                 f"Origin: {rs.url}\r\nX-User-Id: {slow.id}\r\n\r\n").encode())
    assert raw.recv(12) == b"HTTP/1.1 101"
    try:
        body = "x" * 3900
        count = 2000  # ≈ 8 MB of frames: past the 1 MiB outbound bound plus what the kernel buffers (up to 4 MB)
        started = time.monotonic()
        ids = [send(a, room, body)["id"] for _ in range(count)]
        fast.wait("message", count=count, timeout=60)
        elapsed = time.monotonic() - started
        assert [f["message"]["id"] for f in fast.of("message")] == ids
        # The slow socket was closed by the relay: reading what the kernel kept ends in EOF, not a hang.
        raw.settimeout(10)
        total = 0
        while chunk := raw.recv(65536):
            total += len(chunk)
        assert total < count * 3900, "the slow reader got everything: it was never cut off"
        print(f"fast reader got {count} messages in {elapsed:.1f} s; slow reader cut off after {total} bytes")
        assert "websocket client too slow" in rs.log("relay1")
    finally:
        raw.close()
        fast.close()


# ---- protocol -----------------------------------------------------------------------------------------
def test_ping_garbage_and_oversized_frames(rs):
    a = register(rs)
    tab = Tab(rs, a)  # through nginx, with the session cookie
    try:
        tab.send({"type": "ping"})
        tab.wait("pong")
        tab.ws.send("not json")
        assert tab.wait("error")["code"] == "bad_frame"
        tab.send({"type": "dance"})
        assert tab.wait("error", count=2)["code"] == "unknown_type"
        tab.send({"type": "ping"})
        tab.wait("pong", count=2)  # still open after the errors
        tab.ws.send(json.dumps({"type": "typing", "pad": "x" * 5000}))
        assert tab.closed.wait(10)
        assert tab.close_code == 1009
    finally:
        tab.close()


def test_upgrade_needs_a_session_and_our_origin(rs):
    a = register(rs)
    url = rs.url.replace("http://", "ws://") + "/ws"
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin=rs.url, open_timeout=10)
    assert refused.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as refused:
        connect(url, origin="https://evil.example", additional_headers={"Cookie": a.cookie}, open_timeout=10)
    assert refused.value.response.status_code == 403
    direct = f"ws://127.0.0.1:{rs.procs['relay1'].port}/ws"
    with pytest.raises(InvalidStatus) as refused:
        connect(direct, origin="https://evil.example", additional_headers={"X-User-Id": str(a.id)}, open_timeout=10)
    assert refused.value.response.status_code == 403


# ---- typing -------------------------------------------------------------------------------------------
def test_typing_reaches_other_members_only(rs):
    a, b, outsider = register(rs), register(rs), register(rs)
    room = group(a, b, name="typing")
    other_room = group(outsider, name="not a's")
    a1, a2 = Tab(rs, a, "relay1"), Tab(rs, a, "relay2")
    b1, b2 = Tab(rs, b, "relay1"), Tab(rs, b, "relay2")
    stranger = Tab(rs, outsider, "relay2")
    try:
        a1.send({"type": "typing", "room_id": room})
        a1.send({"type": "typing", "room_id": other_room})  # not a's room: ignored
        for tab in (b1, b2):
            frame = tab.wait("typing")
            assert frame["room_id"] == room and frame["user"]["id"] == a.id
            assert frame["user"]["username"] == a.username
            assert "_except_user" not in frame and "email" not in frame["user"]
        time.sleep(0.5)
        assert a1.of("typing") == [] and a2.of("typing") == []
        assert stranger.of("typing") == []
        assert len(b1.of("typing")) == 1
    finally:
        close_all(a1, a2, b1, b2, stranger)


# ---- presence -----------------------------------------------------------------------------------------
def presence_of(tab: Tab, user: int) -> list[bool]:
    return [f["online"] for f in tab.of("presence") if f["user_id"] == user]


def online_in_room_view(person, room: int, user: int) -> bool:
    members = person.api.get(f"/api/rooms/{room}").json()["members"]
    return next(m["online"] for m in members if m["id"] == user)


def test_presence_across_two_tabs_and_two_instances(rs):
    watcher, p = register(rs), register(rs)
    room = group(watcher, p, name="presence")
    eye = Tab(rs, watcher, "relay1")
    try:
        tab1 = Tab(rs, p, "relay1")
        eye.wait("presence", where=lambda f: f["user_id"] == p.id and f["online"])
        assert online_in_room_view(watcher, room, p.id)
        tab2 = Tab(rs, p, "relay2")
        tab1.close()
        time.sleep(DEBOUNCE + 1.5)  # past the debounce: still online, thanks to the other tab
        assert presence_of(eye, p.id) == [True]
        assert online_in_room_view(watcher, room, p.id)
        tab2.close()
        eye.wait("presence", where=lambda f: f["user_id"] == p.id and not f["online"], timeout=DEBOUNCE + 5)
        time.sleep(0.5)
        assert presence_of(eye, p.id) == [True, False]
        assert not online_in_room_view(watcher, room, p.id)
        assert presence_of(tab1, p.id) == []  # nobody is told about themselves
    finally:
        eye.close()


def test_quick_reload_does_not_flash_offline(rs):
    watcher, p = register(rs), register(rs)
    group(watcher, p, name="reload")
    eye = Tab(rs, watcher, "relay2")
    try:
        Tab(rs, p, "relay1").close()
        eye.wait("presence", where=lambda f: f["user_id"] == p.id)
        back = Tab(rs, p, "relay2")  # within the debounce, on the other instance
        time.sleep(DEBOUNCE + 1.5)
        assert presence_of(eye, p.id) == [True]
        back.close()
    finally:
        eye.close()


def test_killed_relay_shows_its_users_offline_within_the_ttl(rs):
    watcher, p = register(rs), register(rs)
    room = group(watcher, p, name="crash")
    eye = Tab(rs, watcher, "relay1")
    try:
        Tab(rs, p, "relay2")
        eye.wait("presence", where=lambda f: f["user_id"] == p.id and f["online"])
        killed_at = time.monotonic()
        rs.kill("relay2")
        eye.wait("presence", where=lambda f: f["user_id"] == p.id and not f["online"], timeout=TTL + 10)
        print(f"offline {time.monotonic() - killed_at:.1f} s after kill -9 (TTL {TTL} s)")
        assert not online_in_room_view(watcher, room, p.id)
    finally:
        eye.close()
        if not rs.procs["relay2"].alive():
            rs.restart("relay2")


# ---- faults -------------------------------------------------------------------------------------------
def test_relay_killed_mid_conversation_loses_and_doubles_nothing(rs):
    """kill -9 of a relay while two users exchange 500 messages; it restarts; both end with all 500."""
    a, b = register(rs), register(rs)
    room = group(a, b, name="fault")
    followers = [Follower(rs, a, room), Follower(rs, b, room)]
    try:
        time.sleep(0.5)
        sent: list[int] = []
        for i in range(500):
            sent.append(send(a if i % 2 == 0 else b, room, f"message {i}")["id"])
            if i == 150:
                rs.kill("relay1")
                rs.kill("relay2")
            if i == 300:
                rs.restart("relay1")
                rs.restart("relay2")
        for f in followers:
            got = f.wait_for(500, timeout=30)
            assert got == sent, f"{f.person.username}: {len(got)} messages, missing {sorted(set(sent) - set(got))[:10]}"
            bodies = [f.messages[i]["body"] for i in got]
            assert bodies == [f"message {i}" for i in range(500)]
            assert f.connects >= 2, "the client never had to reconnect: the relay was not killed under it"
    finally:
        for f in followers:
            f.stop()


# ---- sessions -----------------------------------------------------------------------------------------
def test_sockets_of_ended_sessions_close_at_once(rs):
    from conftest import API

    a, b = register(rs), register(rs)
    room = group(b, a, name="sessions")
    second = API(rs.url)  # a's second device
    creds = {"username": a.username, "password": a.password}
    assert second.post("/api/auth/login", json=creds).status_code == 200
    other_device = Tab(rs, type(a)(second, a.id, a.username, a.password))
    this_device = Tab(rs, a)
    try:
        # Ending the other device's session (from the sessions list) closes only its socket.
        sessions = a.api.get("/api/auth/sessions").json()["sessions"]
        other = next(s["id"] for s in sessions if not s["current"])
        assert a.api.delete(f"/api/auth/sessions/{other}", headers={"Content-Type": "application/json"}).status_code == 204
        assert other_device.closed.wait(10) and other_device.close_code == 1008
        send(b, room, "still here?")
        assert this_device.wait("message")["message"]["body"] == "still here?"
        # Logging out closes the socket of that session too.
        assert a.api.post("/api/auth/logout", headers={"Content-Type": "application/json"}).status_code == 204
        assert this_device.closed.wait(10) and this_device.close_code == 1008
    finally:
        close_all(other_device, this_device)
