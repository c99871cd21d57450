// /reset-password#token=…: the token leaves the address bar first (reset-token.js).
import { resetToken } from "../reset-token.js";
import { post, ApiError } from "../api.js";
import { handleSubmit, setFieldError } from "../forms.js";
import { initNav } from "../nav.js";

initNav();
const form = document.getElementById("reset-form");
const invalid = document.getElementById("invalid-token");

if (!resetToken) {
  document.getElementById("missing-token").hidden = false;
  form.hidden = true;
}

handleSubmit(
  form,
  async ({ new_password, confirm_password }) => {
    if (new_password.length < 8) {
      setFieldError(form, "new_password", "Use at least 8 characters.");
      form.elements.new_password.focus();
      return;
    }
    if (new_password !== confirm_password) {
      setFieldError(form, "confirm_password", "The two passwords differ.");
      form.elements.confirm_password.focus();
      return;
    }
    await post("/api/auth/password-reset/confirm", { token: resetToken, new_password });
    form.hidden = true;
    document.getElementById("reset-done").hidden = false;
  },
  {
    onError(error) {
      if (error instanceof ApiError && error.code === "invalid_token") {
        invalid.hidden = false;
        form.hidden = true;
        invalid.querySelector("a").focus();
        return true;
      }
      return false;
    },
  },
);
