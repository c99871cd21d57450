"""Helpers for the browser tests of the web pages (test_web_*.py)."""
from __future__ import annotations

import contextlib
import json
import os
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

WAIT = float(os.environ.get("WEB_WAIT", "10"))


def wait(driver, condition, timeout: float = WAIT, message: str = ""):
    """Waits until `condition(driver)` is truthy and returns it."""
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda d: condition(d), message)


def css(driver, selector: str):
    return driver.find_elements(By.CSS_SELECTOR, selector)


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
