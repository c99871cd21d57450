// /profile: details, picture, password, sessions, logout.
import { get, patch, post, del, upload, ApiError } from "../api.js";
import { handleSubmit, setFieldError, setStatus, setFormError, clearErrors, setFormBusy, showError } from "../forms.js";
import { el, clear, avatar } from "../dom.js";
import { formatDateTime } from "../time.js";
import { describeUserAgent } from "../user-agent.js";
import { initNav } from "../nav.js";

const MAX_AVATAR = 2 * 1024 * 1024;
const AVATAR_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

initNav();
let user = null;
let previewURL = null;

const profileForm = document.getElementById("profile-form");
const passwordForm = document.getElementById("password-form");
const avatarForm = document.getElementById("avatar-form");
const fileInput = document.getElementById("avatar-file");
const saveButton = document.getElementById("avatar-save");
const cancelButton = document.getElementById("avatar-cancel");
const removeButton = document.getElementById("avatar-remove");

function showUser(u) {
  user = u;
  document.getElementById("username-display").textContent = u.username;
  document.getElementById("password-username").value = u.username;
  profileForm.elements.display_name.value = u.display_name || "";
  profileForm.elements.email.value = u.email || "";
  profileForm.elements.bio.value = u.bio || "";
  showAvatar(u.avatar_url);
}

function showAvatar(url) {
  const preview = document.getElementById("avatar-preview");
  clear(preview);
  preview.append(avatar({ url, name: user.display_name || user.username, key: user.id, size: "lg" }));
  removeButton.hidden = !user.avatar_url || Boolean(previewURL);
}

function resetAvatarChoice() {
  if (previewURL) URL.revokeObjectURL(previewURL);
  previewURL = null;
  fileInput.value = "";
  saveButton.hidden = true;
  cancelButton.hidden = true;
  showAvatar(user.avatar_url);
}

fileInput.addEventListener("change", () => {
  clearErrors(avatarForm);
  const file = fileInput.files[0];
  if (!file) return resetAvatarChoice();
  if (file.type && !AVATAR_TYPES.includes(file.type)) {
    resetAvatarChoice();
    return setFormError(avatarForm, "Choose a PNG, JPEG, GIF or WebP picture.");
  }
  if (file.size > MAX_AVATAR) {
    resetAvatarChoice();
    return setFormError(avatarForm, "That picture is larger than 2 MB.");
  }
  if (previewURL) URL.revokeObjectURL(previewURL);
  previewURL = URL.createObjectURL(file);
  showAvatar(previewURL);
  saveButton.hidden = false;
  cancelButton.hidden = false;
  saveButton.focus();
});
cancelButton.addEventListener("click", () => {
  clearErrors(avatarForm);
  resetAvatarChoice();
});

handleSubmit(avatarForm, async () => {
  const file = fileInput.files[0];
  if (!file) return;
  const updated = await upload("PUT", "/api/auth/me/avatar", file, { redirectOn401: true });
  user = updated;
  resetAvatarChoice();
  setStatus(avatarForm, "Picture saved.");
});

removeButton.addEventListener("click", async () => {
  clearErrors(avatarForm);
  setFormBusy(avatarForm, true);
  try {
    const updated = await del("/api/auth/me/avatar", { redirectOn401: true });
    user = updated && updated.id ? updated : { ...user, avatar_url: null };
    resetAvatarChoice();
    setStatus(avatarForm, "Picture removed.");
  } catch (error) {
    showError(avatarForm, error);
  } finally {
    setFormBusy(avatarForm, false);
  }
});

handleSubmit(profileForm, async ({ display_name, email, bio }) => {
  const changes = {};
  if (display_name.trim() !== (user.display_name || "")) changes.display_name = display_name.trim();
  if (email.trim() !== (user.email || "")) changes.email = email.trim();
  if (bio !== (user.bio || "")) changes.bio = bio;
  if (changes.display_name !== undefined && !changes.display_name) {
    setFieldError(profileForm, "display_name", "Enter a display name.");
    return;
  }
  if (Object.keys(changes).length === 0) {
    setStatus(profileForm, "Nothing to save.");
    return;
  }
  showUser(await patch("/api/auth/me", changes, { redirectOn401: true }));
  setStatus(profileForm, "Saved.");
});

handleSubmit(passwordForm, async ({ current_password, new_password }) => {
  if (!current_password) return void setFieldError(passwordForm, "current_password", "Enter your current password.");
  if (new_password.length < 8) return void setFieldError(passwordForm, "new_password", "Use at least 8 characters.");
  await post("/api/auth/password", { current_password, new_password });
  passwordForm.reset();
  document.getElementById("password-username").value = user.username;
  setStatus(passwordForm, "Password changed. Your other sessions have been logged out.");
  loadSessions();
}, {
  onError(error) {
    // A wrong current password is the current password's problem, not the form's.
    if (error instanceof ApiError && ((!error.fields && error.status === 400) || error.status === 401 || error.status === 403)) {
      if (setFieldError(passwordForm, "current_password", error.message)) return true;
    }
    return false;
  },
});

async function loadSessions() {
  const list = document.getElementById("session-list");
  const errorSlot = document.getElementById("sessions-error");
  errorSlot.hidden = true;
  let sessions;
  try {
    ({ sessions } = await get("/api/auth/sessions", { redirectOn401: true }));
  } catch (error) {
    errorSlot.textContent = error.message;
    errorSlot.hidden = false;
    return;
  }
  clear(list);
  sessions.sort((a, b) => (b.current - a.current) || String(b.last_seen_at).localeCompare(String(a.last_seen_at)));
  for (const s of sessions) {
    const revoke = el("button", {
      class: "button button--secondary button--small",
      text: s.current ? "Log out" : "Revoke",
      attrs: { type: "button", "aria-label": s.current ? "Log out of this device" : `Revoke the session on ${describeUserAgent(s.user_agent)}` },
      data: { action: "revoke-session" },
    });
    revoke.addEventListener("click", async () => {
      revoke.disabled = true;
      try {
        await del(`/api/auth/sessions/${encodeURIComponent(s.id)}`, { redirectOn401: true });
        if (s.current) return location.assign("/login");
        loadSessions();
      } catch (error) {
        revoke.disabled = false;
        errorSlot.textContent = error.message;
        errorSlot.hidden = false;
      }
    });
    list.append(
      el("li", { class: "session", data: { sessionId: s.id, current: s.current ? "true" : "false" } },
        el("div", { class: "session__info" },
          el("span", { class: "session__device", text: describeUserAgent(s.user_agent), attrs: { title: s.user_agent || "" } },
            s.current ? el("span", { class: "badge this-device", text: "This device" }) : null),
          el("span", { class: "session__meta", text: `Last seen ${formatDateTime(s.last_seen_at)} · signed in ${formatDateTime(s.created_at)}` })),
        revoke));
  }
}

async function start() {
  try {
    showUser(await get("/api/auth/me", { redirectOn401: true }));
  } catch (error) {
    const slot = document.getElementById("load-error");
    slot.textContent = error.message;
    slot.hidden = false;
    return;
  }
  loadSessions();
}
start();
