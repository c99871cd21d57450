"""Browser tests of the chat page: one person in Chromium, the others through the API and /ws."""
from __future__ import annotations

import json
import tempfile
import time

from conftest import screenshot
from person import register
from selenium.webdriver.common.keys import Keys
from webpages import (contrast_failures, css, js_errors, last_attribute, login, one, open_chat, png, prefer_color_scheme, type_into,
                      visible_text, wait, wait_text, wait_until, ws_connect)


def private_room(session, username) -> dict:
    r = session.post("/api/rooms", json={"kind": "private", "username": username})
    assert r.status_code in (200, 201), r.text
    return r.json()


def send(session, room_id, body):
    r = session.post(f"/api/rooms/{room_id}/messages", json={"body": body})
    assert r.status_code == 201, r.text
    return r.json()


def messages_text(page):
    return [e.text for e in css(page, "#message-list li.message .message__body")]


def enter_room(page, room_id):
    one(page, f'#room-list li[data-room-id="{room_id}"] a').click()
    wait(page, lambda d: d.execute_script("return chatApp.openRoomId") == room_id)


def test_start_private_chat_send_and_receive_once(page, stack):
    ada = register(stack, "chat", "Ada")
    bob = register(stack, "chat", "Bob")
    login(page, stack.url, ada.username, ada.password)
    open_chat(page, stack.url)

    one(page, "#new-private-button").click()
    type_into(page, "#private-search", bob.username)
    one(page, f'#private-results button[data-username="{bob.username}"]').click()
    wait(page, lambda d: d.execute_script("return chatApp.openRoomId") is not None)
    room_id = page.execute_script("return chatApp.openRoomId")
    assert visible_text(page, "#room-title") == "Bob"

    box = one(page, "#message-input")
    box.send_keys("first line")
    box.send_keys(Keys.SHIFT, Keys.ENTER)
    box.send_keys("second line" + Keys.ENTER)
    wait(page, lambda d: css(d, "#message-list li.message[data-message-id][data-client-id]"))
    wait_until(lambda: [m["body"] for m in bob.api.get(f"/api/rooms/{room_id}/messages").json()["messages"]] == ["first line\nsecond line"])

    sent = send(bob.api, room_id, "hi <img src=x onerror=alert(1)>")
    wait(page, lambda d: css(d, f'li.message[data-message-id="{sent["id"]}"]'))
    assert messages_text(page) == ["first line\nsecond line", "hi <img src=x onerror=alert(1)>"]
    assert not css(page, "#message-list img[src='x']")  # shown as text, never as markup
    assert "hi <img" in page.execute_script("return document.getElementById('live-region').textContent")
    page.execute_script("chatApp.socket.send({type: 'ping'})")
    wait(page, lambda d: len(css(d, "#message-list li.message")) == 2)  # nothing doubled
    assert not css(page, "#message-list li.message.is-pending")
    assert not js_errors(page)


def test_web_addresses_in_messages_are_links_and_nothing_else_is(page, stack):
    ada = register(stack, "chat")
    bob = register(stack, "chat")
    room = private_room(bob.api, ada.username)
    body = 'docs: https://example.org/guide?a=1&b=2. not javascript:alert(1) or <a href="javascript:alert(2)">this</a>'
    sent = send(bob.api, room["id"], body)
    login(page, stack.url, ada.username, ada.password)
    open_chat(page, stack.url)
    enter_room(page, room["id"])
    one(page, f'li.message[data-message-id="{sent["id"]}"]')
    assert messages_text(page) == [body]
    links = css(page, "#message-list .message__body a")
    assert [(a.text, a.get_attribute("href"), a.get_attribute("target"), a.get_attribute("rel")) for a in links] == [
        ("https://example.org/guide?a=1&b=2", "https://example.org/guide?a=1&b=2", "_blank", "noopener noreferrer nofollow")]
    assert not page.execute_script("return document.querySelector('#message-list [href^=javascript], #message-list [onclick]')")
    screenshot(page, "chat-link-in-message")
    assert not js_errors(page)


def test_unread_badge_title_and_read_position(page, stack):
    ada = register(stack, "chat")
    bob = register(stack, "chat")
    room = private_room(bob.api, ada.username)
    login(page, stack.url, ada.username, ada.password)
    open_chat(page, stack.url)
    send(bob.api, room["id"], "one")
    last = send(bob.api, room["id"], "two")
    wait(page, lambda d: visible_text(d, f'li[data-room-id="{room["id"]}"] .unread-badge') == "2")
    wait(page, lambda d: d.title == "(2) Chat")

    enter_room(page, room["id"])
    wait(page, lambda d: not css(d, f'li[data-room-id="{room["id"]}"] .unread-badge'))
    wait(page, lambda d: d.title == "Chat")

    def ada_read():
        members = bob.api.get(f"/api/rooms/{room['id']}").json()["members"]
        return next(m for m in members if m["username"] == ada.username)["last_read_id"] == last["id"]
    wait_until(ada_read, message="the read position was not posted")


def test_seen_label_typing_and_presence(page, stack):
    ada = register(stack, "chat")
    bob = register(stack, "chat", "Bob")
    room = private_room(bob.api, ada.username)
    login(page, stack.url, ada.username, ada.password)
    open_chat(page, stack.url)
    enter_room(page, room["id"])
    type_into(page, "#message-input", "are you there?" + Keys.ENTER)
    # Read inside the wait: the list may re-render (confirmation, read positions) between two calls.
    mine_id = int(wait(page, lambda d: last_attribute(d, "li.message[data-message-id]", "data-message-id")))
    assert not css(page, ".seen-label")

    with ws_connect(stack.url, bob.api.cookies.get_dict()) as ws:
        wait(page, lambda d: css(d, f'li[data-room-id="{room["id"]}"] .online-dot.is-online'), message="Bob never showed online")
        ws.send(json.dumps({"type": "typing", "room_id": room["id"]}))
        wait_text(page, "#typing-indicator", "Bob is typing")
        assert bob.api.post(f"/api/rooms/{room['id']}/read", json={"message_id": mine_id}).status_code == 204
        wait(page, lambda d: css(d, f'li.message[data-message-id="{mine_id}"] .seen-label'))
        send(bob.api, room["id"], "yes")
        wait(page, lambda d: visible_text(d, "#typing-indicator") == "")  # the message ends the typing at once
    wait(page, lambda d: not css(d, f'li[data-room-id="{room["id"]}"] .online-dot.is-online'), timeout=30,
         message="Bob stayed online after closing his socket")


def test_history_pages_back_and_catch_up_after_reconnect(page, stack):
    ada = register(stack, "chat")
    bob = register(stack, "chat")
    room = private_room(bob.api, ada.username)
    for i in range(60):
        send(ada.api if i % 2 else bob.api, room["id"], f"history {i}")
    login(page, stack.url, ada.username, ada.password)
    open_chat(page, stack.url)
    enter_room(page, room["id"])
    wait(page, lambda d: "history 59" in messages_text(d))
    for _ in range(20):
        page.execute_script("document.getElementById('message-scroller').scrollTop = 0")
        if "history 0" in messages_text(page):
            break
        time.sleep(0.3)
    wait(page, lambda d: "history 0" in messages_text(d))
    assert messages_text(page) == [f"history {i}" for i in range(60)]
    wait_text(page, "#history-status", "beginning")

    page.execute_script("chatApp.socket.stop()")
    send(bob.api, room["id"], "sent while you were away")
    page.execute_script("chatApp.socket.start()")
    wait(page, lambda d: "sent while you were away" in messages_text(d))
    wait_until(lambda: page.execute_script("return chatApp.socket.state") == "open")
    assert messages_text(page).count("sent while you were away") == 1
    assert len(messages_text(page)) == 61


def choose_png(page, file_input: str, shown_by: str) -> str:
    """Chooses a PNG in a file input and returns the `src` of the image `shown_by` selects, once it is there."""
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        f.write(png())
        f.flush()
        one(page, file_input).send_keys(f.name)
        return wait(page, lambda d: last_attribute(d, shown_by, "src"))


def test_group_room_menu_and_images(page, stack):
    ada = register(stack, "chat")
    bob = register(stack, "chat")
    cy = register(stack, "chat")
    login(page, stack.url, ada.username, ada.password)
    open_chat(page, stack.url)

    one(page, "#new-group-button").click()
    type_into(page, "#group-name", "Book club")
    type_into(page, "#group-search", bob.username)
    one(page, f'#group-results button[data-username="{bob.username}"]').click()
    one(page, f'#group-members li[data-username="{bob.username}"]')
    one(page, "#create-group-button").click()
    wait(page, lambda d: visible_text(d, "#room-title") == "Book club")
    room_id = page.execute_script("return chatApp.openRoomId")
    assert any(r["id"] == room_id for r in bob.api.get("/api/rooms").json()["rooms"])

    src = choose_png(page, "#image-input", shown_by="li.message[data-message-id] img.message__image")
    assert "/media/" in src
    one(page, "li.message[data-message-id] a.message__image-link").click()
    wait(page, lambda d: d.execute_script("return document.getElementById('image-viewer').open"))
    one(page, "#image-viewer").send_keys(Keys.ESCAPE)
    wait(page, lambda d: not d.execute_script("return document.getElementById('image-viewer').open"))

    one(page, "#room-menu-button").click()
    type_into(page, "#rename-input", "Reading club" + Keys.ENTER)
    wait(page, lambda d: visible_text(d, "#room-title") == "Reading club")
    assert "/media/" in choose_png(page, "#room-picture-input", shown_by="#room-avatar img.avatar__img")
    type_into(page, "#add-member-search", cy.username)
    one(page, f'#add-member-results button[data-username="{cy.username}"]').click()
    wait(page, lambda d: len(css(d, "#member-list li.member")) == 3)

    text = send(bob.api, room_id, "group hello")
    wait(page, lambda d: css(d, f'li.message[data-message-id="{text["id"]}"]'))
    assert cy.api.post(f"/api/rooms/{room_id}/read", json={"message_id": text["id"]}).status_code == 204
    wait(page, lambda d: css(d, f'li.message[data-message-id="{text["id"]}"] .read-avatar'))

    one(page, "#clear-history-button").click()
    one(page, "#confirm-yes").click()
    wait(page, lambda d: not css(d, "#message-list li.message"))
    assert len(bob.api.get(f"/api/rooms/{room_id}/messages").json()["messages"]) == 2  # others still see them

    one(page, "#room-menu-button").click()
    one(page, "#leave-room-button").click()
    one(page, "#confirm-yes").click()
    wait(page, lambda d: not css(d, f'#room-list li[data-room-id="{room_id}"]'))
    assert not js_errors(page)


def test_narrow_screen_shows_one_view_at_a_time(page, stack):
    ada = register(stack, "chat")
    bob = register(stack, "chat")
    room = private_room(bob.api, ada.username)
    send(bob.api, room["id"], "a fairly long message " * 12)
    page.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True})
    try:
        login(page, stack.url, ada.username, ada.password)
        open_chat(page, stack.url)
        assert one(page, "#main").get_attribute("data-view") == "list"
        enter_room(page, room["id"])
        assert one(page, "#main").get_attribute("data-view") == "room"
        assert not css(page, "#room-list")[0].is_displayed()
        assert page.execute_script("return document.documentElement.scrollWidth") <= 360
        one(page, "#back-to-rooms").click()
        wait(page, lambda d: one(d, "#main").get_attribute("data-view") == "list")
        assert page.execute_script("return document.documentElement.scrollWidth") <= 360
    finally:
        page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_text_is_readable_in_light_and_dark_mode(page, stack):
    ada = register(stack, "chat", "Ada")
    bob = register(stack, "chat", "Bob")
    room = private_room(bob.api, ada.username)
    send(ada.api, room["id"], "mine: light or dark?")
    send(bob.api, room["id"], "theirs: both, please")
    other = private_room(register(stack, "chat", "Cy").api, ada.username)
    send(ada.api, other["id"], "an earlier word")  # a second room in the list, not open
    login(page, stack.url, ada.username, ada.password)
    open_chat(page, stack.url)
    enter_room(page, room["id"])
    wait(page, lambda d: len(messages_text(d)) == 2)
    # Text a person reads every day: the room list, the open room, the composer.
    selectors = [".brand", ".site-nav a", ".rooms-pane__title", ".room-item__name", ".room-item__preview",
                 ".room-item__time", "#room-title", "#room-subtitle", "#history-status", ".message-group__author", ".message-group--mine .message__body",
                 ".message-group:not(.message-group--mine) .message__body", ".message__time", "#send-button"]
    try:
        for scheme in ("light", "dark"):
            prefer_color_scheme(page, scheme)
            assert page.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
            background = page.execute_script("return getComputedStyle(document.body).backgroundColor")
            brightness = sum(int(c) for c in background[background.index("(") + 1:-1].split(",")[:3])
            assert brightness < 150 if scheme == "dark" else brightness > 600, (scheme, background)
            type_into(page, "#message-input", "a draft")
            assert contrast_failures(page, selectors + ["#message-input"]) == [], scheme
            screenshot(page, f"chat-{scheme}")
    finally:
        prefer_color_scheme(page, None)
    assert not js_errors(page)
