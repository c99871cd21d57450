"""Shared fixtures for the integration and browser tests.

- `smtp`: a real SMTP server (aiosmtpd) on loopback that keeps every message it receives.
- `stack`: the whole app (redis, services, nginx) for the test session, mailing through `smtp`.
- `browser`: headless Chromium through Selenium and the system chromedriver; `page` hands it to a
  test with a clean cookie jar and saves a screenshot when the test fails.
- `browsers`: more Chromium sessions on demand (two people in two real browsers).
- `api`: a requests session that sends the headers the contract asks for (Origin, JSON).
"""
from __future__ import annotations

import email
import email.policy
import os
import re
import secrets
import threading
import time
from pathlib import Path

import pytest
import requests

from stack import ROOT, Stack, free_port, require_binary
from webpages import forget_session

# Selenium must never look for drivers or report usage on the network.
os.environ["SE_OFFLINE"] = "true"
os.environ["SE_AVOID_STATS"] = "true"

SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-output" / "screenshots"))


# ---- SMTP -----------------------------------------------------------------------------------------
class SMTPSink:
    """aiosmtpd on a free loopback port; messages are kept in memory, parsed."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
                message = email.message_from_bytes(envelope.original_content or envelope.content,
                                                   policy=email.policy.default)
                with sink._arrived:
                    sink.messages.append(message)
                    sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
                    sink._arrived.notify_all()
                return "250 Message accepted for delivery"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def wait_for(self, to: str, timeout: float = 15.0) -> email.message.EmailMessage:
        """The first message for `to` (waits for it)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for message in self.messages:
                    if to.lower() in str(message.get("To", "")).lower():
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no mail for {to} within {timeout} s")
                self._arrived.wait(left)

    @staticmethod
    def body_text(message: email.message.EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part else ""

    @staticmethod
    def find_link(message: email.message.EmailMessage, pattern: str = r"https?://\S+") -> str:
        found = re.search(pattern, SMTPSink.body_text(message))
        assert found, "no link in the mail"
        return found.group(0)

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture(scope="session")
def smtp():
    sink = SMTPSink()
    yield sink
    sink.stop()


# ---- the app ----------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def stack(smtp, request):
    s = Stack(smtp_url=smtp.url)
    s.start()
    print("\nstartup through nginx (ms):", {k: round(v) for k, v in s.startup_ms.items()})
    yield s
    if request.session.testsfailed:
        print("\n" + s.log_tails())
    statuses = s.stop()
    bad = {name: code for name, code in statuses.items() if code != 0}
    assert not bad, f"processes did not exit cleanly on SIGTERM: {bad}"


class API(requests.Session):
    """requests against the app's origin, with the Origin header unsafe requests need."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base
        self.headers["Origin"] = base

    def request(self, method, url, *args, **kwargs):
        if url.startswith("/"):
            url = self.base + url
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 10)
        return super().request(method, url, *args, **kwargs)


@pytest.fixture
def api(stack):
    with API(stack.url) as session:
        yield session


_counter = [0]


def unique(prefix: str = "user") -> str:
    _counter[0] += 1
    return f"{prefix}{os.getpid() % 1000}x{_counter[0]}x{int(time.time() * 1000) % 100000}"


@pytest.fixture
def user(stack):
    """A freshly registered user: (API session logged in, credentials dict)."""
    name = unique()
    creds = {"username": name, "email": f"{name}@example.test",
             "password": "Blue-Kettle-" + secrets.token_hex(6) + "-sings"}
    session = API(stack.url)
    r = session.post("/api/auth/register", json=creds)
    assert r.status_code == 201, r.text
    yield session, creds
    session.close()


# ---- browser ----------------------------------------------------------------------------------------
def start_chromium():
    """A new headless Chromium (its own process and temporary profile) through the system chromedriver."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromedriver = require_binary("/usr/bin/chromedriver", "run 'make deps' (installs chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = require_binary("/usr/bin/chromium", "run 'make deps' (installs chromium)")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_page_load_timeout(20)
    return driver


@pytest.fixture(scope="session")
def browser():
    driver = start_chromium()
    yield driver
    driver.quit()


class Browsers:
    """More Chromium sessions, for tests with several people at once: `start()` opens one,
    `quit(driver)` closes it (the browser process ends), and whatever is left is quit at the end."""

    def __init__(self) -> None:
        self.running: list = []

    def start(self):
        driver = start_chromium()
        self.running.append(driver)
        return driver

    def quit(self, driver) -> None:
        self.running.remove(driver)
        driver.quit()

    def quit_all(self) -> None:
        while self.running:
            self.quit(self.running[-1])


@pytest.fixture(scope="session")
def browsers():
    pool = Browsers()
    yield pool
    pool.quit_all()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, "rep_" + report.when, report)
    return report


def screenshot(driver, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".png")
    driver.save_screenshot(str(path))
    return path


@pytest.fixture
def page(browser, stack, request):
    """The browser with no cookies, at the app's origin; a screenshot is saved if the test fails."""
    forget_session(browser, stack.url)
    browser.get_log("browser")  # drop what earlier tests left
    yield browser
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        print("screenshot:", screenshot(browser, "FAILED-" + request.node.name))
