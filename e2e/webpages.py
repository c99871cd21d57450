"""Helpers for the browser tests of the web pages (test_web_*.py)."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import struct
import time
import zlib

from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

WAIT = float(os.environ.get("WEB_WAIT", "10"))


def wait(driver, condition, timeout: float = WAIT, message: str = ""):
    """Waits until `condition(driver)` is truthy and returns it. An element the page replaced while
    the condition looked at it (the room list re-renders on every event) means: try again."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                         ).until(lambda d: condition(d), message)


def css(driver, selector: str):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def last_attribute(driver, selector: str, name: str):
    """An attribute of the last element matching `selector`, or None; use it inside `wait`."""
    found = css(driver, selector)
    return found[-1].get_attribute(name) if found else None


def one(driver, selector: str):
    return wait(driver, lambda d: (css(d, selector) or [None])[0], message=f"no element {selector}")


def visible_text(driver, selector: str) -> str:
    found = css(driver, selector)
    return found[0].text if found and found[0].is_displayed() else ""


def wait_text(driver, selector: str, text: str, timeout: float = WAIT):
    return wait(driver, lambda d: text in visible_text(d, selector), timeout,
                f"{selector!r} never showed {text!r} (had {visible_text(driver, selector)!r})")


def type_into(driver, selector: str, text: str, clear: bool = True):
    field = one(driver, selector)
    if clear:
        field.clear()
    field.send_keys(text)
    return field


def login(driver, base: str, username: str, password: str, next_path: str | None = None):
    """Logs in through the login page and waits until it left."""
    driver.get(base + "/login" + (f"?next={next_path}" if next_path else ""))
    type_into(driver, "#username", username)
    type_into(driver, "#password", password + Keys.ENTER)
    wait(driver, lambda d: "/login" not in d.current_url, message="login did not leave the page")


def forget_session(driver, base: str):
    """Deletes the browser's cookies from the login page. An app page left behind still running
    would meet the lost session with its own redirect to /login, which can win over the test's
    next navigation."""
    driver.get(base + "/login")
    driver.delete_all_cookies()


def open_chat(driver, base: str):
    driver.get(base + "/")
    wait(driver, lambda d: d.execute_script("return !!(window.chatApp && chatApp.me && chatApp.socket && chatApp.socket.state === 'open')"),
         message="chat page did not connect")


def js_errors(driver) -> list[str]:
    """Console errors raised by page scripts (failed requests the page handles are left out)."""
    return [e["message"] for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and e.get("source") != "network"]


@contextlib.contextmanager
def ws_connect(base: str, cookies: dict[str, str]):
    """A WebSocket to /ws as the owner of `cookies` (another person in the conversation)."""
    from websockets.sync.client import connect

    url = base.replace("http", "ws", 1) + "/ws"
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    with connect(url, additional_headers={"Origin": base, "Cookie": cookie}, open_timeout=10) as ws:
        hello = json.loads(ws.recv(timeout=10))
        assert hello["type"] == "hello", hello
        yield ws


def wait_until(predicate, timeout: float = WAIT, message: str = "condition not met"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(message)


# ---- the chat page ----------------------------------------------------------------------------------
def shown_messages(driver) -> list[dict]:
    """The messages in #message-list, in DOM order: {id (None while pending), body, pending}."""
    return driver.execute_script("""
        return [...document.querySelectorAll('#message-list li.message')].map((li) => ({
            id: li.dataset.messageId ? Number(li.dataset.messageId) : null,
            body: li.querySelector('.message__body')?.textContent ?? null,
            pending: li.classList.contains('is-pending'),
        }));""")


def shown_bodies(driver) -> list[str]:
    return [m["body"] for m in shown_messages(driver)]


def click_room(driver, room_id: int):
    """Opens a room from the room list and waits until its latest page is shown."""
    link = f'#room-list li[data-room-id="{room_id}"] a'
    wait(driver, lambda d: one(d, link).click() or True, message=f"no link to room {room_id}")
    wait(driver, lambda d: d.execute_script(
        "const l = chatApp.lists.get(arguments[0]); return chatApp.openRoomId === arguments[0] && !!l && l.loaded",
        room_id), message=f"room {room_id} did not open")


def room_badge(driver, room_id: int) -> str:
    return driver.execute_script(
        "return document.querySelector(`#room-list li[data-room-id='${arguments[0]}'] .unread-badge`)?.textContent ?? ''",
        room_id)


def room_online(driver, room_id: int) -> bool:
    """Whether the online dot of a private room in the room list is lit."""
    return bool(css(driver, f'#room-list li[data-room-id="{room_id}"] .online-dot.is-online'))


def say(driver, text: str):
    """Types into the composer and presses Enter."""
    type_into(driver, "#message-input", text + Keys.ENTER)


def stored_id(driver, body: str) -> int:
    """Waits until the message with `body` is stored (not pending) in the open room; returns its id."""
    def find(d):
        found = [m for m in shown_messages(d) if m["body"] == body]
        return found[0]["id"] if len(found) == 1 and found[0]["id"] else None
    return wait(driver, find, message=f"{body!r} never showed once, stored")


def typing_text(driver) -> str:
    return driver.execute_script("return document.getElementById('typing-indicator').textContent")


def watch_duplicates(driver):
    """From now on, records every message body the list shows twice at once (a pending send next to
    its stored copy, say); `duplicates_seen` tells them and stops watching."""
    driver.execute_script("""
        window.__dupes = [];
        window.__dupeWatch?.disconnect();
        window.__dupeWatch = new MutationObserver(() => {
          const seen = new Set();
          for (const e of document.querySelectorAll('#message-list li.message .message__body')) {
            if (seen.has(e.textContent)) window.__dupes.push(e.textContent);
            seen.add(e.textContent);
          }
        });
        window.__dupeWatch.observe(document.getElementById('message-list'), {childList: true, subtree: true});""")


def duplicates_seen(driver) -> list[str]:
    return driver.execute_script("window.__dupeWatch.disconnect(); return window.__dupes")


def page_state(driver) -> dict:
    """What a reload must bring back: title, open room, room list (names, previews, badges, dots),
    the open room's messages and its 'Seen'."""
    return driver.execute_script("""
        const item = (li) => [Number(li.dataset.roomId), li.querySelector('.room-item__name').textContent,
          li.querySelector('.room-item__preview').textContent, li.querySelector('.unread-badge')?.textContent ?? '',
          Boolean(li.querySelector('.online-dot.is-online'))];
        const message = (li) => [Number(li.dataset.messageId), li.querySelector('.message__body')?.textContent ??
          li.querySelector('img.message__image').getAttribute('src')];
        return {
          title: document.title, open: chatApp.openRoomId, subtitle: document.getElementById('room-subtitle').textContent,
          rooms: [...document.querySelectorAll('#room-list li.room-item')].map(item),
          messages: [...document.querySelectorAll('#message-list li.message')].map(message),
          seen: [...document.querySelectorAll('.seen-label')].map((s) => Number(s.closest('li.message').dataset.messageId)),
        };""")


def page_back_to(driver, first: str, pages: int = 10):
    """Scrolls the messages up with the mouse wheel until `first` is shown."""
    scroller = one(driver, "#message-scroller")
    for _ in range(pages):
        count = len(shown_messages(driver))
        if first in shown_bodies(driver):
            return
        ActionChains(driver).scroll_from_origin(ScrollOrigin.from_element(scroller), 0, -30000).perform()
        wait(driver, lambda d: len(shown_messages(d)) > count, message="scrolling up loaded nothing older")
    raise AssertionError(f"{first!r} not reached after {pages} pages")


def png(width: int = 64, height: int = 48) -> bytes:
    """A small gradient PNG (RGB, no alpha)."""
    rows = b"".join(b"\0" + bytes(v for x in range(width) for v in (x * 4, y * 5, 200 - x * 2)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def process_tree(root: int) -> list[int]:
    """`root`'s descendants (not `root` itself), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@contextlib.contextmanager
def frozen_browser(driver):
    """Stops every process of a Chromium session (SIGSTOP) and lets them go on (SIGCONT) after the
    block: a laptop that went to sleep. Its sockets stay open but nothing answers on them."""
    pids = process_tree(driver.service.process.pid)
    assert pids, "no Chromium processes under chromedriver"
    for pid in pids:
        _signal(pid, signal.SIGSTOP)
    try:
        yield pids
    finally:
        for pid in pids:
            _signal(pid, signal.SIGCONT)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass  # a helper process that ended on its own


_CONTRAST_JS = """
const [selectors, minimum] = arguments;
const rgba = (text) => (text.match(/[\\d.]+/g) || ["0", "0", "0", "0"]).map(Number).concat([1]).slice(0, 4);
const luminance = ([r, g, b]) => [r, g, b].map((c) => {
  c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}).reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
// What the text is drawn on: the backgrounds of the element and its ancestors, composed.
const backdrop = (el) => {
  const layers = [];
  for (let e = el; e; e = e.parentElement) layers.push(rgba(getComputedStyle(e).backgroundColor));
  return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
};
const textOf = (e) => (e instanceof HTMLTextAreaElement || e instanceof HTMLInputElement ? e.value : e.textContent);
const failures = [];
for (const selector of selectors) {
  const shown = [...document.querySelectorAll(selector)].filter((e) => e.getClientRects().length && textOf(e).trim());
  if (!shown.length) { failures.push(`${selector}: nothing shown`); continue; }
  for (const e of shown) {
    const style = getComputedStyle(e);
    const back = backdrop(e);
    const text = over(rgba(style.color), back);
    const [hi, lo] = [luminance(text), luminance(back)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < minimum) failures.push(`${selector}: ${ratio.toFixed(2)} (${style.color} on rgb(${back.slice(0, 3).map(Math.round)}))`);
  }
}
return failures;
"""


def contrast_failures(driver, selectors: list[str], minimum: float = 4.5) -> list[str]:
    """Shown elements under `selectors` whose text contrasts less than `minimum` with what it is drawn
    on (WCAG 2 ratio; 4.5 is AA for body text). A selector that shows nothing is a failure too."""
    return driver.execute_script(_CONTRAST_JS, selectors, minimum)


def prefer_color_scheme(driver, scheme: str | None):
    """Emulates the system's light or dark preference (None: back to the default)."""
    features = [{"name": "prefers-color-scheme", "value": scheme}] if scheme else []
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})
