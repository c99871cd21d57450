// Form helpers: field errors from the API's `fields`, a form-level message,
// and a busy state that disables the form's buttons while a request runs.
//
// Markup convention:
//   <input name="email" aria-describedby="email-error">
//   <p class="field-error" data-error-for="email" id="email-error" hidden></p>
//   <p class="form-error" role="alert" hidden></p>   (one per form)
//   <p class="form-status" role="status"></p>        (optional, success text)
import { ApiError } from "./api.js";

/** Error codes that belong to one field even without `fields`. */
const CODE_FIELDS = {
  username_taken: "username",
  email_taken: "email",
  invalid_credentials: null,
};

export function values(form) {
  const out = {};
  for (const [k, v] of new FormData(form).entries()) {
    if (typeof v === "string") out[k] = v;
  }
  return out;
}

export function clearErrors(form) {
  for (const p of form.querySelectorAll(".field-error")) {
    p.textContent = "";
    p.hidden = true;
  }
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const formError = form.querySelector(".form-error");
  if (formError) {
    formError.textContent = "";
    formError.hidden = true;
  }
  const status = form.querySelector(".form-status");
  if (status) status.textContent = "";
}

export function setFieldError(form, name, message) {
  const input = form.elements.namedItem(name);
  const slot = form.querySelector(`.field-error[data-error-for="${CSS.escape(name)}"]`);
  if (!input || !slot) return false;
  slot.textContent = message;
  slot.hidden = false;
  (input instanceof RadioNodeList ? input[0] : input).setAttribute("aria-invalid", "true");
  return true;
}

export function setFormError(form, message) {
  const slot = form.querySelector(".form-error");
  if (!slot) return;
  slot.textContent = message;
  slot.hidden = false;
}

export function setStatus(form, message) {
  const slot = form.querySelector(".form-status");
  if (slot) slot.textContent = message;
}

/** Shows an error (ApiError or other) on the form; returns nothing. */
export function showError(form, error) {
  if (!(error instanceof ApiError)) {
    setFormError(form, "Something went wrong. Please try again.");
    console.warn(error);
    return;
  }
  let placed = false;
  if (error.fields) {
    for (const [name, message] of Object.entries(error.fields)) {
      if (setFieldError(form, name, String(message))) placed = true;
    }
  }
  const field = CODE_FIELDS[error.code];
  if (!placed && field && setFieldError(form, field, error.message)) placed = true;
  if (!placed) setFormError(form, error.message);
  const firstInvalid = form.querySelector("[aria-invalid='true']");
  if (firstInvalid) firstInvalid.focus();
}

/**
 * Wires a form's submit to `action(values, form)`. While it runs, every
 * button of the form is disabled. ApiErrors are shown on the form unless
 * `onError` handles them (returns true).
 */
export function handleSubmit(form, action, { onError } = {}) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (form.dataset.busy === "true") return;
    clearErrors(form);
    setFormBusy(form, true);
    try {
      await action(values(form), form);
    } catch (error) {
      if (!(onError && onError(error, form))) showError(form, error);
    } finally {
      setFormBusy(form, false);
    }
  });
}

export function setFormBusy(form, busy) {
  form.dataset.busy = busy ? "true" : "false";
  form.setAttribute("aria-busy", busy ? "true" : "false");
  for (const b of form.querySelectorAll("button")) {
    if (busy) {
      b.dataset.wasDisabled = b.disabled ? "true" : "false";
      b.disabled = true;
    } else {
      b.disabled = b.dataset.wasDisabled === "true";
      delete b.dataset.wasDisabled;
    }
  }
}

/** "5 minutes" style text for a wait in seconds. */
export function waitText(seconds) {
  if (seconds === null || seconds === undefined) return "a little while";
  if (seconds < 60) return seconds <= 1 ? "a second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "a minute" : `${minutes} minutes`;
}
