"""Two people, each in a real headless Chromium logged in through the login page: rooms made in the
dialogs, live chat, typing, read receipts, unread counts, history, pictures, clearing, reloads and
presence. The tests run in file order on one pair of browsers; each opens the rooms it needs.

This module runs its own stack: a send rate that lets it seed 200 messages at once, and relay pings
every 2 s with an 8 s idle limit so a frozen browser is noticed soon. OFFLINE_DEBOUNCE is its default
(5 s, set here so the test knows it): how long a cleanly closed browser stays online.
"""
from __future__ import annotations

import time

import pytest
from conftest import screenshot
from person import assert_no_js_errors, register
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.keys import Keys
from stack import Stack
from webpages import (click_room, css, duplicates_seen, frozen_browser, login, one, open_chat, page_back_to,
                      page_state, png, room_badge, room_online, say, shown_bodies, shown_messages, stored_id, type_into,
                      typing_text, wait, wait_text, wait_until, watch_duplicates)

GROUP = "Weekend plans"
IDLE_TIMEOUT, OFFLINE_DEBOUNCE = 8, 5
TYPING = "Ada is typing…"


@pytest.fixture(scope="module")
def stack(request):
    """This module's own app (see the module's docstring)."""
    s = Stack(env={"SEND_RATE_PER_10S": "5000", "PING_INTERVAL": "2", "IDLE_TIMEOUT": str(IDLE_TIMEOUT),
                   "OFFLINE_DEBOUNCE": str(OFFLINE_DEBOUNCE)})
    s.start()
    yield s
    if request.session.testsfailed:
        print("\n" + s.log_tails())
    bad = {name: code for name, code in s.stop().items() if code != 0}
    assert not bad, f"processes did not exit cleanly on SIGTERM: {bad}"


@pytest.fixture(scope="module")
def people(stack, browsers):
    """Ada and Bob, each logged in through the login page in a Chromium of their own, chat page open."""
    pair = (register(stack, "ada", "Ada"), register(stack, "bob", "Bob"))
    for p in pair:
        p.driver = browsers.start()
        login(p.driver, stack.url, p.username, p.password)
        open_chat(p.driver, stack.url)
    yield pair
    for p in pair:
        if p.driver in browsers.running:
            browsers.quit(p.driver)
        p.api.close()


@pytest.fixture(scope="module")
def rooms(people):
    """The private room and the group of the two (the first test makes them in the dialogs)."""
    ada, bob = people
    r = ada.api.post("/api/rooms", json={"kind": "private", "username": bob.username})
    assert r.status_code in (200, 201), r.text
    ids = {"private": r.json()["id"]}
    group = [room for room in ada.api.get("/api/rooms").json()["rooms"] if room["name"] == GROUP]
    if not group:
        r = ada.api.post("/api/rooms", json={"kind": "group", "name": GROUP, "members": [bob.username]})
        assert r.status_code == 201, r.text
        group = [r.json()]
    ids["group"] = group[0]["id"]
    for p in people:
        for room_id in ids.values():
            one(p.driver, f'#room-list li[data-room-id="{room_id}"]')
    return ids


@pytest.fixture(autouse=True)
def shots_on_failure(request, people):
    yield
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for p in people:
            if p.driver is not None and p.driver.service.process.poll() is None:
                print("screenshot:", screenshot(p.driver, f"FAILED-{request.node.name}-{p.name}"))


def test_rooms_made_in_the_dialogs_then_a_live_chat_shows_each_message_once(people):
    ada, bob = people
    a, b = ada.driver, bob.driver
    one(a, "#new-private-button").click()
    type_into(a, "#private-search", bob.username)
    one(a, f'#private-results button[data-username="{bob.username}"]').click()
    wait_text(a, "#room-title", "Bob")
    private_id = a.execute_script("return chatApp.openRoomId")
    wait_text(b, f'#room-list li[data-room-id="{private_id}"] .room-item__name', "Ada")  # over Bob's socket

    one(a, "#new-group-button").click()
    type_into(a, "#group-name", GROUP)
    type_into(a, "#group-search", bob.username)
    one(a, f'#group-results button[data-username="{bob.username}"]').click()
    one(a, f'#group-members li[data-username="{bob.username}"]')
    one(a, "#create-group-button").click()
    wait(a, lambda d: d.execute_script("return document.getElementById('room-title').textContent") == GROUP)
    group_id = a.execute_script("return chatApp.openRoomId")
    assert group_id != private_id
    wait_text(b, f'#room-list li[data-room-id="{group_id}"] .room-item__name', GROUP)

    click_room(a, private_id)
    click_room(b, private_id)
    for d in (a, b):
        watch_duplicates(d)
    say(a, "Hi Bob")
    stored_id(b, "Hi Bob")
    box = one(b, "#message-input")
    box.send_keys("Hi Ada")
    box.send_keys(Keys.SHIFT, Keys.ENTER)
    box.send_keys("this is line two" + Keys.ENTER)
    stored_id(a, "Hi Ada\nthis is line two")
    for i in range(3):  # both at once, without waiting for each other
        say(a, f"Ada says {i}")
        say(b, f"Bob says {i}")
    wait_until(lambda: len(ada.stored_bodies(private_id)) == 8, message="not all 8 messages were stored")
    stored = ada.api.get(f"/api/rooms/{private_id}/messages").json()["messages"]
    expected = [(m["id"], m["body"]) for m in stored]
    assert sorted(body for _, body in expected) == sorted(
        ["Hi Bob", "Hi Ada\nthis is line two"] + [f"{who} says {i}" for who in ("Ada", "Bob") for i in range(3)])
    for d in (a, b):
        wait(d, lambda d: [(m["id"], m["body"]) for m in shown_messages(d)] == expected,
             message="the two pages do not show the stored messages, once each, in order")
        assert not css(d, "#message-list li.message.is-pending")
        assert duplicates_seen(d) == []
    mine = "return [...document.querySelectorAll('.message-group--mine .message__body')].map((e) => e.textContent)"
    assert a.execute_script(mine) == ["Hi Bob", "Ada says 0", "Ada says 1", "Ada says 2"]
    assert b.execute_script(mine) == ["Hi Ada\nthis is line two", "Bob says 0", "Bob says 1", "Bob says 2"]
    ada.shot("01-chat")
    bob.shot("01-chat")
    assert_no_js_errors(ada, bob)


def test_each_sees_the_other_online(people, rooms):
    ada, bob = people
    wait(ada.driver, lambda d: room_online(d, rooms["private"]), message="Ada does not see Bob online")
    b = bob.driver
    wait(b, lambda d: room_online(d, rooms["private"]), message="Bob does not see Ada online")
    click_room(b, rooms["private"])
    wait_text(b, "#room-subtitle", f"@{ada.username} · online")
    one(b, "#room-menu-button").click()
    one(b, f'#member-list li.member[data-user-id="{ada.id}"][data-online="true"]')
    one(b, f'#member-list li.member[data-user-id="{bob.id}"][data-online="true"]')
    bob.shot("02-ada-online")
    one(b, "#room-dialog [data-close]").click()
    wait(b, lambda d: not d.execute_script("return document.getElementById('room-dialog').open"))


def test_typing_shows_for_6_s_after_the_last_event_and_ends_with_the_message(people, rooms):
    ada, bob = people
    a, b = ada.driver, bob.driver
    click_room(a, rooms["private"])
    click_room(b, rooms["private"])
    b.execute_script("""
        window.__typing = [];
        new MutationObserver(() => __typing.push([performance.now(), document.getElementById('typing-indicator').textContent]))
          .observe(document.getElementById('typing-indicator'), {childList: true, characterData: true, subtree: true});""")
    box = one(a, "#message-input")
    box.send_keys("hmm")  # one typing event; Ada stops here
    wait(b, lambda d: typing_text(d) == TYPING, message="Bob never saw Ada typing")
    bob.shot("03-ada-typing")
    wait(b, lambda d: typing_text(d) == "", timeout=12, message="the typing line never went away")
    changes = b.execute_script("return window.__typing")
    assert [text for _, text in changes] == [TYPING, ""], changes
    shown_ms = changes[1][0] - changes[0][0]
    assert 5500 <= shown_ms <= 6800, f"'typing' showed for {shown_ms:.0f} ms after the only typing event"

    box.send_keys(", let me write a reply")  # typing again (the page sends at most one event per 3 s)
    wait(b, lambda d: typing_text(d) == TYPING, message="Bob did not see Ada typing again")
    box.send_keys(Keys.ENTER)
    state = wait(b, lambda d: d.execute_script("""
        const bodies = [...document.querySelectorAll('#message-list .message__body')].map((e) => e.textContent);
        return bodies.includes(arguments[0]) && {typing: document.getElementById('typing-indicator').textContent};""",
                                              "hmm, let me write a reply"))
    assert state["typing"] == "", "the typing line stayed after Ada's message arrived"
    assert_no_js_errors(ada, bob)


def test_seen_under_my_last_message_once_the_other_read_it(people, rooms):
    ada, bob = people
    a, b = ada.driver, bob.driver
    click_room(a, rooms["private"])
    click_room(b, rooms["private"])
    say(a, "Did you read this?")
    mine = stored_id(a, "Did you read this?")
    stored_id(b, "Did you read this?")
    seen = "return [...document.querySelectorAll('.seen-label')].map((s) => Number(s.closest('li.message').dataset.messageId))"
    wait(a, lambda d: d.execute_script(seen) == [mine], message="no 'Seen' under Ada's last message")
    assert a.execute_script("return document.querySelector('.seen-label').textContent") == "Seen"
    assert ada.read_position_of(bob, rooms["private"]) == mine
    bobs_last = b.execute_script(
        "return Number([...document.querySelectorAll(`li.message[data-author-id='${arguments[0]}']`)].pop().dataset.messageId)", bob.id)
    assert b.execute_script(seen) == [bobs_last]  # Bob's own page: Ada has read his last one
    ada.shot("04-seen")


def test_unread_badge_and_title_count_messages_for_a_room_not_open(people, rooms):
    ada, bob = people
    a, b = ada.driver, bob.driver
    click_room(b, rooms["group"])
    wait(b, lambda d: room_badge(d, rooms["private"]) == "" and d.title == "Chat")
    click_room(a, rooms["private"])
    for i in (1, 2, 3):
        say(a, f"Are you there? ({i})")
    wait(b, lambda d: room_badge(d, rooms["private"]) == "3", message="Bob's badge for the private room never showed 3")
    wait(b, lambda d: d.title.startswith("(3)"))
    assert b.title == "(3) Chat"
    unread = "return document.querySelector(`#room-list li[data-room-id='${arguments[0]}']`).dataset.unread"
    assert b.execute_script(unread, rooms["private"]) == "3"
    assert not any(body.startswith("Are you there?") for body in shown_bodies(b))
    bob.shot("05-unread-3")

    click_room(b, rooms["private"])
    wait(b, lambda d: room_badge(d, rooms["private"]) == "" and d.title == "Chat")
    assert shown_bodies(b)[-3:] == [f"Are you there? ({i})" for i in (1, 2, 3)]
    assert_no_js_errors(ada, bob)


def test_what_was_read_stays_read_when_leaving_the_room_or_the_page_at_once(people, rooms, stack):
    """Two messages in a row, read, and Bob at once (within the page's 1 s between read posts) opens
    another room, or goes to his profile page: the second read position must still reach the
    server, else the room comes back unread."""
    ada, bob = people
    b = bob.driver
    for leave in ("room", "page"):
        click_room(b, rooms["private"])
        wait(b, lambda d: room_badge(d, rooms["private"]) == "")
        for n in (1, 2):
            r = ada.api.post(f"/api/rooms/{rooms['private']}/messages", json={"body": f"Quick, leave the {leave} ({n})"})
            assert r.status_code == 201, r.text
        last = r.json()["id"]
        stored_id(b, f"Quick, leave the {leave} (2)")
        if leave == "room":
            click_room(b, rooms["group"])
        else:
            one(b, "#profile-link").click()
        wait_until(lambda: ada.read_position_of(bob, rooms["private"]) == last,
                   message=f"leaving the {leave}: Bob's read position never reached the last message he saw")
        private = next(r for r in bob.api.get("/api/rooms").json()["rooms"] if r["id"] == rooms["private"])
        assert private["unread"] == 0
        if leave == "page":
            wait(b, lambda d: d.current_url.endswith("/profile"))
            open_chat(b, stack.url)
        assert room_badge(b, rooms["private"]) == ""
    assert_no_js_errors(ada, bob)


def test_the_open_room_gets_no_badge_when_the_room_list_is_refreshed(people, rooms):
    """A refresh of the room list (here after a reconnect) while the read position of what Bob is
    looking at is still held back by the 1 s between read posts: no unread badge on that room."""
    ada, bob = people
    b = bob.driver
    click_room(b, rooms["group"])
    b.execute_script("""
        window.__openBadges = [];
        new MutationObserver(() => {
          const open = document.querySelector('#room-list a[aria-current="true"]')?.closest('li');
          const badge = open?.querySelector('.unread-badge');
          if (badge) __openBadges.push(badge.textContent);
        }).observe(document.getElementById('room-list'), {childList: true, subtree: true});""")

    first = ada.api.post(f"/api/rooms/{rooms['group']}/messages", json={"body": "Look at this"}).json()["id"]
    wait_until(lambda: ada.read_position_of(bob, rooms["group"]) == first)
    second = ada.api.post(f"/api/rooms/{rooms['group']}/messages", json={"body": "And this"}).json()["id"]
    stored_id(b, "And this")
    b.execute_script("chatApp.socket.stop(); chatApp.socket.start()")
    wait_until(lambda: ada.read_position_of(bob, rooms["group"]) == second,
               message="Bob's read position never reached the second message")
    wait(b, lambda d: d.execute_script("return chatApp.socket.state === 'open' && !chatApp.resyncing"))
    assert b.execute_script("return window.__openBadges") == []
    assert room_badge(b, rooms["group"]) == "" and b.title == "Chat"


def test_picture_sent_from_the_file_input_shows_inline_for_both(people, rooms, tmp_path):
    ada, bob = people
    click_room(ada.driver, rooms["private"])
    click_room(bob.driver, rooms["private"])
    picture = tmp_path / "gradient.png"
    picture.write_bytes(png())
    one(ada.driver, "#image-input").send_keys(str(picture))
    loaded = """
        const img = [...document.querySelectorAll('#message-list li.message--image[data-message-id] img.message__image')].pop();
        return img && img.complete && img.naturalWidth === 64 && img.getAttribute('src').startsWith('/media/') &&
          {id: Number(img.closest('li.message').dataset.messageId), src: img.getAttribute('src')};"""
    seen_by = [wait(p.driver, lambda d: d.execute_script(loaded), message=f"{p.name} has no loaded picture") for p in people]
    assert seen_by[0] == seen_by[1]
    # Sent with the page's client_id, so a retry after a lost reply cannot post the picture twice.
    stored = ada.api.get(f"/api/rooms/{rooms['private']}/messages?after={seen_by[0]['id'] - 1}").json()["messages"][0]
    assert stored["kind"] == "image" and stored["client_id"], stored
    for p in people:
        assert len(css(p.driver, "#message-list li.message--image")) == 1
        p.shot("06-picture")
    assert_no_js_errors(ada, bob)


def test_paging_back_through_200_messages(people):
    ada, bob = people
    r = ada.api.post("/api/rooms", json={"kind": "group", "name": "History", "members": [bob.username]})
    assert r.status_code == 201, r.text
    room_id = r.json()["id"]
    expected = [f"history {i:03d}" for i in range(200)]
    for i, body in enumerate(expected):
        r = (ada if i % 2 == 0 else bob).api.post(f"/api/rooms/{room_id}/messages", json={"body": body})
        assert r.status_code == 201, r.text
    for p in people:
        click_room(p.driver, room_id)
        wait(p.driver, lambda d: shown_bodies(d)[-1:] == ["history 199"])
        assert len(shown_messages(p.driver)) < 200  # only the latest page at first
        page_back_to(p.driver, "history 000")
        wait_text(p.driver, "#history-status", "beginning of the conversation")
        shown = shown_messages(p.driver)
        assert [m["body"] for m in shown] == expected, "gaps, duplicates or disorder in the paged history"
        ids = [m["id"] for m in shown]
        assert ids == sorted(set(ids))
        p.shot("07-history-top")
    assert_no_js_errors(ada, bob)


def test_clearing_history_is_mine_alone_and_later_messages_show_for_both(people, rooms):
    ada, bob = people
    a, b = ada.driver, bob.driver
    click_room(a, rooms["group"])
    click_room(b, rooms["group"])
    say(a, "Before the clear, from Ada")
    stored_id(b, "Before the clear, from Ada")
    say(b, "Before the clear, from Bob")
    stored_id(a, "Before the clear, from Bob")
    bob_saw = shown_bodies(b)

    one(a, "#room-menu-button").click()
    one(a, "#clear-history-button").click()
    wait_text(a, "#confirm-text", "Others still see them")
    ada.shot("08-clear-confirm")
    one(a, "#confirm-yes").click()
    wait(a, lambda d: not css(d, "#message-list li.message"), message="Ada's messages stayed after the clear")
    wait_text(a, "#history-status", "History cleared.")
    a.execute_script("chatApp.renderMessages()")  # as any frame for the open room does (a read, a member)
    assert a.execute_script("return document.getElementById('history-status').textContent") == "History cleared."
    ada.shot("08-cleared")
    assert shown_bodies(b) == bob_saw

    say(b, "After the clear, from Bob")
    stored_id(a, "After the clear, from Bob")
    say(a, "After the clear, from Ada")
    stored_id(b, "After the clear, from Ada")
    after = ["After the clear, from Bob", "After the clear, from Ada"]
    assert shown_bodies(a) == after
    assert shown_bodies(b) == bob_saw + after
    ada.shot("08-after-clear")
    bob.shot("08-after-clear")
    assert ada.stored_bodies(rooms["group"]) == after
    assert bob.stored_bodies(rooms["group"]) == bob_saw + after
    assert_no_js_errors(ada, bob)


def test_reload_restores_rooms_messages_and_unread_counts(people, rooms):
    ada, bob = people
    a, b = ada.driver, bob.driver
    click_room(a, rooms["private"])
    click_room(b, rooms["group"])
    a.execute_script("""
        window.__presence = [];
        const onFrame = chatApp.socket.onFrame;
        chatApp.socket.onFrame = (f) => { if (f.type === 'presence') __presence.push(f); onFrame(f); };""")
    say(a, "Two for later (1)")
    say(a, "Two for later (2)")
    stored_id(a, "Two for later (2)")
    wait(b, lambda d: room_badge(d, rooms["private"]) == "2")
    before = {p.name: page_state(p.driver) for p in people}
    assert before["Bob"]["title"] == "(2) Chat", before["Bob"]
    assert before["Ada"]["seen"], "Ada's page shows no 'Seen' to compare after the reload"

    for p in people:
        p.driver.refresh()
    for p in people:
        wait(p.driver, lambda d: d.execute_script("return window.chatApp?.socket?.state") == "open")
        try:
            wait(p.driver, lambda d: page_state(d) == before[p.name])
        except TimeoutException:
            assert page_state(p.driver) == before[p.name], f"{p.name}'s page differs after the reload"
    ada.shot("09-after-reload")
    bob.shot("09-after-reload")
    offline = [f for f in a.execute_script("return window.__presence || []") if not f["online"]]
    assert offline == [], "Bob flickered offline while his page reloaded"
    assert_no_js_errors(ada, bob)


def test_the_other_goes_offline_when_his_browser_freezes_and_when_it_closes(people, rooms, browsers):
    ada, bob = people
    a = ada.driver
    click_room(a, rooms["private"])
    wait(a, lambda d: room_online(d, rooms["private"]))
    wait_text(a, "#room-subtitle", f"@{bob.username} · online")

    with frozen_browser(bob.driver):
        started = time.monotonic()
        wait(a, lambda d: not room_online(d, rooms["private"]), timeout=IDLE_TIMEOUT + OFFLINE_DEBOUNCE + 20,
             message="Bob stayed online while his browser was frozen")
        frozen_s = time.monotonic() - started
        wait_text(a, "#room-subtitle", f"@{bob.username} · offline")
        ada.shot("10-bob-offline-frozen")
    wait(a, lambda d: room_online(d, rooms["private"]), timeout=30, message="Bob did not come back after waking up")
    wait(bob.driver, lambda d: d.execute_script("return chatApp.socket.state") == "open")

    started = time.monotonic()
    browsers.quit(bob.driver)
    bob.driver = None
    wait(a, lambda d: not room_online(d, rooms["private"]), timeout=60, message="Bob stayed online after closing his browser")
    closed_s = time.monotonic() - started
    wait_text(a, "#room-subtitle", f"@{bob.username} · offline")
    one(a, "#room-menu-button").click()
    one(a, f'#member-list li.member[data-user-id="{bob.id}"][data-online="false"]')
    ada.shot("10-bob-offline-closed")
    print(f"\noffline after: frozen {frozen_s:.1f} s (idle limit {IDLE_TIMEOUT} s), closed {closed_s:.1f} s "
          f"(debounce {OFFLINE_DEBOUNCE} s)")
    assert frozen_s < IDLE_TIMEOUT + OFFLINE_DEBOUNCE + 5
    assert OFFLINE_DEBOUNCE - 0.2 < closed_s < OFFLINE_DEBOUNCE + 8  # not at once: a reload is no goodbye
