"""Browser tests of the account pages: register, login, password reset, profile."""
from __future__ import annotations

import tempfile

from conftest import API, screenshot, unique
from webpages import contrast_failures, css, forget_session, js_errors, login, one, png, prefer_color_scheme, type_into, visible_text, wait, wait_text
from selenium.webdriver.common.keys import Keys


def test_app_pages_send_anonymous_visitors_to_login(page, stack):
    page.get(stack.url + "/profile")
    wait(page, lambda d: "/login" in d.current_url)
    assert "next=" in page.current_url and "profile" in page.current_url


def test_register_shows_errors_next_to_fields_then_lands_in_chat(page, stack, user):
    _, taken = user
    page.get(stack.url + "/register")
    type_into(page, "#username", taken["username"])
    type_into(page, "#email", unique("mail") + "@example.test")
    type_into(page, "#password", "a fine long password 42" + Keys.ENTER)
    wait(page, lambda d: visible_text(d, "#username-error"), message="no error for a taken username")
    assert one(page, "#username").get_attribute("aria-invalid") == "true"
    screenshot(page, "accounts-01-register-error")

    name = unique("reg")
    type_into(page, "#username", name)
    type_into(page, "#password", "12345678901" + Keys.ENTER)  # only digits: the server refuses it
    wait(page, lambda d: visible_text(d, "#password-error"), message="no error for an all-digit password")

    type_into(page, "#password", f"Pw-{name}-long enough" + Keys.ENTER)
    wait(page, lambda d: d.current_url.rstrip("/") == stack.url)
    wait(page, lambda d: d.execute_script("return !!(window.chatApp && chatApp.me)"))
    assert page.execute_script("return chatApp.me.username") == name
    screenshot(page, "accounts-02-registered-chat")

    # Log out, then log in again with a `next`.
    page.get(stack.url + "/profile")
    one(page, "#logout-button").click()
    wait(page, lambda d: "/login" in d.current_url)
    login(page, stack.url, name, f"Pw-{name}-long enough", next_path="/profile")
    wait(page, lambda d: d.current_url == stack.url + "/profile")
    assert not js_errors(page)


def test_login_errors_and_next(page, stack, user):
    _, creds = user
    page.get(stack.url + "/login?next=/profile")
    type_into(page, "#username", creds["username"])
    type_into(page, "#password", "not the password" + Keys.ENTER)
    wait_text(page, "#login-form .form-error", "Invalid credentials")
    screenshot(page, "accounts-03-login-error")
    type_into(page, "#password", creds["password"] + Keys.ENTER)
    wait(page, lambda d: d.current_url == stack.url + "/profile")

    for evil in ("//evil.example/", "https://evil.example/", "/%5Cevil.example"):
        forget_session(page, stack.url)
        login(page, stack.url, creds["email"], creds["password"], next_path=evil)
        assert page.current_url.rstrip("/") == stack.url, evil
    assert not js_errors(page)


def test_password_reset_by_mail(page, stack, smtp, user):
    _, creds = user
    page.get(stack.url + "/forgot-password")
    type_into(page, "#email", creds["email"] + Keys.ENTER)
    wait(page, lambda d: visible_text(d, "#sent-notice"))
    notice = visible_text(page, "#sent-notice")
    screenshot(page, "accounts-04-forgot-password-sent")

    page.get(stack.url + "/forgot-password")  # an unknown address gets the very same answer
    type_into(page, "#email", unique("nobody") + "@example.test" + Keys.ENTER)
    wait(page, lambda d: visible_text(d, "#sent-notice") == notice)

    link = smtp.find_link(smtp.wait_for(creds["email"]), r"https?://\S+/reset-password#token=[\w-]+")
    page.get(link)
    one(page, "#new_password")
    assert "token" not in page.current_url and not page.execute_script("return location.hash")
    new = "a brand new password 7"
    screenshot(page, "accounts-05-reset-password")
    type_into(page, "#new_password", new)
    type_into(page, "#confirm_password", new + Keys.ENTER)
    wait(page, lambda d: visible_text(d, "#reset-done"))
    screenshot(page, "accounts-06-reset-done")
    # The old password no longer works; the new one does.
    forget_session(page, stack.url)
    type_into(page, "#username", creds["username"])
    type_into(page, "#password", creds["password"] + Keys.ENTER)
    wait_text(page, "#login-form .form-error", "Invalid credentials")
    login(page, stack.url, creds["username"], new)

    forget_session(page, stack.url)
    page.get(link)  # single use
    type_into(page, "#new_password", new + "x")
    type_into(page, "#confirm_password", new + "x" + Keys.ENTER)
    wait(page, lambda d: visible_text(d, "#invalid-token"))
    assert css(page, "#invalid-token a[href='/forgot-password']")
    screenshot(page, "accounts-07-reset-link-used")


def test_profile_details_avatar_password_and_sessions(page, stack, user):
    session, creds = user
    other = API(stack.url)  # a second session of the same user, to be revoked from the page
    assert other.post("/api/auth/login", json={"username": creds["username"], "password": creds["password"]}).status_code == 200
    login(page, stack.url, creds["username"], creds["password"], next_path="/profile")
    wait(page, lambda d: one(d, "#display_name").get_attribute("value"))

    type_into(page, "#display_name", "Ada <b>Lovelace</b>")
    type_into(page, "#bio", "Counts things.")
    one(page, "#profile-form button[type=submit]").click()
    wait_text(page, "#profile-form .form-status", "Saved")
    assert session.get("/api/auth/me").json()["display_name"] == "Ada <b>Lovelace</b>"

    with tempfile.NamedTemporaryFile(suffix=".png") as bad, tempfile.NamedTemporaryFile(suffix=".png") as good:
        bad.write(b"this is not a picture at all")
        bad.flush()
        good.write(png())
        good.flush()
        one(page, "#avatar-file").send_keys(bad.name)  # named .png, but the bytes say otherwise: 415
        one(page, "#avatar-save").click()
        wait(page, lambda d: visible_text(d, "#avatar-form .form-error"), message="no error for a non-image")
        one(page, "#avatar-cancel").click()
        one(page, "#avatar-file").send_keys(good.name)
        one(page, "#avatar-save").click()
        wait(page, lambda d: (css(d, "#avatar-preview img") or [None])[0] is not None
             and "/media/" in css(d, "#avatar-preview img")[0].get_attribute("src"))
        one(page, "#avatar-remove").click()
        wait(page, lambda d: not css(d, "#avatar-preview img"))

    wait(page, lambda d: len(css(d, "#session-list li.session")) >= 2)
    screenshot(page, "accounts-08-profile")
    assert len(css(page, "#session-list li[data-current='true'] .this-device")) == 1
    revoke = css(page, "#session-list li[data-current='false'] [data-action='revoke-session']")
    before = len(css(page, "#session-list li.session"))
    revoke[0].click()
    wait(page, lambda d: len(css(d, "#session-list li.session")) == before - 1)

    type_into(page, "#current_password", "wrong password here")
    type_into(page, "#new_password", "another long password 9" + Keys.ENTER)
    wait(page, lambda d: visible_text(d, "#current_password-error") or visible_text(d, "#password-form .form-error"))
    type_into(page, "#current_password", creds["password"])
    type_into(page, "#new_password", "another long password 9" + Keys.ENTER)
    wait_text(page, "#password-form .form-status", "Password changed")
    assert session.get("/api/auth/me").status_code == 401  # other sessions ended

    one(page, "#logout-button").click()
    wait(page, lambda d: "/login" in d.current_url)
    page.get(stack.url + "/profile")
    wait(page, lambda d: "/login" in d.current_url)
    assert not js_errors(page)


def test_login_page_and_its_errors_are_readable_in_light_and_dark_mode(page, stack):
    page.get(stack.url + "/login")
    type_into(page, "#username", "nobody-" + unique("x"))
    type_into(page, "#password", "not the password" + Keys.ENTER)
    wait(page, lambda d: visible_text(d, ".form-error"), message="no error for a failed login")
    selectors = [".brand", "h1", "label", ".form-error", "button[type=submit]", ".form-footer", ".form-footer a",
                 "#username"]
    try:
        for scheme in ("light", "dark"):
            prefer_color_scheme(page, scheme)
            assert contrast_failures(page, selectors) == [], scheme
            screenshot(page, f"accounts-login-error-{scheme}")
    finally:
        prefer_color_scheme(page, None)
    assert not js_errors(page)
