// /login: username or email + password, then on to `next` if it is a local path.
import { post, ApiError } from "../api.js";
import { handleSubmit, setFieldError, setFormError, waitText } from "../forms.js";
import { nextFromLocation } from "../safe-next.js";
import { initNav } from "../nav.js";

initNav();
const form = document.getElementById("login-form");
const next = nextFromLocation();
if (next !== "/") {
  const register = document.getElementById("register-link");
  register.href = `/register?next=${encodeURIComponent(next)}`;
}

handleSubmit(
  form,
  async ({ username, password }) => {
    let ok = true;
    if (!username.trim()) ok = !setFieldError(form, "username", "Enter your username or email.");
    if (!password) ok = !setFieldError(form, "password", "Enter your password.") && ok;
    if (!ok) return;
    await post("/api/auth/login", { username: username.trim(), password });
    location.replace(next);
  },
  {
    onError(error) {
      if (!(error instanceof ApiError)) return false;
      if (error.status === 401) {
        setFormError(form, "Invalid credentials: the username, email or password is wrong.");
        form.elements.password.value = "";
        form.elements.password.focus();
        return true;
      }
      if (error.status === 429) {
        setFormError(form, `Too many login attempts. Please try again in ${waitText(error.retryAfter)}.`);
        return true;
      }
      return false;
    },
  },
);
