"""A person using the app in the tests: an account, an API session logged in to it, and in the
browser tests a Chromium of their own."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from conftest import API, screenshot, unique
from webpages import js_errors


@dataclass
class Person:
    api: API
    id: int
    username: str
    password: str
    name: str = ""  # the display name, else the username
    driver: object = None

    @property
    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.api.cookies)

    def shot(self, what: str):
        screenshot(self.driver, f"two-browsers-{what}-{self.name.lower()}")

    def stored_bodies(self, room_id: int) -> list[str]:
        """The bodies of the room's last 100 messages as the API gives them to this person."""
        r = self.api.get(f"/api/rooms/{room_id}/messages?limit=100")
        assert r.status_code == 200, r.text
        return [m["body"] for m in r.json()["messages"]]

    def read_position_of(self, other: Person, room_id: int) -> int | None:
        """The other's read position in a room, as this person's member list shows it."""
        members = self.api.get(f"/api/rooms/{room_id}").json()["members"]
        return next(m for m in members if m["id"] == other.id)["last_read_id"]


def register(stack, prefix: str = "user", display_name: str = "") -> Person:
    """A new account (a unique username from `prefix`), logged in, with this display name if given."""
    username = unique(prefix)
    password = "Quiet-Harbor-" + secrets.token_hex(6)
    api = API(stack.url)
    r = api.post("/api/auth/register", json={"username": username, "email": f"{username}@example.test", "password": password})
    assert r.status_code == 201, r.text
    if display_name:
        r = api.patch("/api/auth/me", json={"display_name": display_name})
        assert r.status_code == 200, r.text
    return Person(api, r.json()["id"], username, password, display_name or username)


def assert_no_js_errors(*people: Person):
    for p in people:
        assert not js_errors(p.driver), p.name
