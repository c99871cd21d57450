// /register: username, email, password; the API's field errors go next to each field.
import { post } from "../api.js";
import { handleSubmit, setFieldError } from "../forms.js";
import { nextFromLocation } from "../safe-next.js";
import { initNav } from "../nav.js";

initNav();
const form = document.getElementById("register-form");
const next = nextFromLocation();
if (next !== "/") document.getElementById("login-link").href = `/login?next=${encodeURIComponent(next)}`;

handleSubmit(form, async ({ username, email, password }) => {
  let ok = true;
  const name = username.trim();
  if (!/^[A-Za-z0-9_.-]{3,32}$/.test(name)) {
    ok = false;
    setFieldError(form, "username", "Use 3 to 32 letters, digits, _ . or -.");
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
    ok = false;
    setFieldError(form, "email", "Enter a valid email address.");
  }
  if (password.length < 8) {
    ok = false;
    setFieldError(form, "password", "Use at least 8 characters.");
  }
  if (!ok) {
    form.querySelector("[aria-invalid='true']")?.focus();
    return;
  }
  await post("/api/auth/register", { username: name, email: email.trim(), password });
  location.replace(next);
});
