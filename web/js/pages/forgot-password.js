// /forgot-password: always the same answer after 202, whether or not the address exists.
import { post, ApiError } from "../api.js";
import { handleSubmit, setFieldError, setFormError, waitText } from "../forms.js";
import { initNav } from "../nav.js";

initNav();
const form = document.getElementById("forgot-form");
const notice = document.getElementById("sent-notice");

handleSubmit(
  form,
  async ({ email }) => {
    notice.hidden = true;
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) {
      setFieldError(form, "email", "Enter a valid email address.");
      form.elements.email.focus();
      return;
    }
    await post("/api/auth/password-reset", { email: email.trim() });
    notice.hidden = false;
    form.reset();
  },
  {
    onError(error) {
      if (error instanceof ApiError && error.status === 429) {
        setFormError(form, `Too many requests. Please try again in ${waitText(error.retryAfter)}.`);
        return true;
      }
      return false;
    },
  },
);
