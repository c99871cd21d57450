// Dialog helpers: close buttons, a confirmation, the image viewer, and the
// user search used to start chats and add members.
import { get } from "../api.js";
import { el, clear, avatar } from "../dom.js";
import { displayName } from "./typing.js";

/** Every [data-close] button closes its dialog; clicking the backdrop too. */
export function wireDialogs() {
  for (const dialog of document.querySelectorAll("dialog")) {
    for (const b of dialog.querySelectorAll("[data-close]")) b.addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
  }
}

/** Asks a yes/no question; resolves true for yes. */
export function confirmDialog(title, text, yesLabel = "Yes") {
  const dialog = document.getElementById("confirm-dialog");
  document.getElementById("confirm-title").textContent = title;
  document.getElementById("confirm-text").textContent = text;
  document.getElementById("confirm-yes").textContent = yesLabel;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.showModal();
  });
}

export function openImage(url, alt) {
  const dialog = document.getElementById("image-viewer");
  const img = document.getElementById("image-viewer-img");
  img.src = url;
  img.alt = alt;
  document.getElementById("image-viewer-open").href = url;
  dialog.showModal();
}

/**
 * A search box that lists users from GET /api/users?q= as buttons.
 * onPick(user) is called on click; exclude(user) hides some.
 */
export class UserSearch {
  constructor({ input, results, note, onPick, exclude = () => false }) {
    this.input = input;
    this.results = results;
    this.note = note;
    this.onPick = onPick;
    this.exclude = exclude;
    this.timer = null;
    this.seq = 0;
    this.users = [];
    input.addEventListener("input", () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), 200);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = this.results.querySelector("button");
        if (first) first.click();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        this.results.querySelector("button")?.focus();
      }
    });
    results.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      const buttons = [...this.results.querySelectorAll("button")];
      const i = buttons.indexOf(document.activeElement);
      if (i < 0) return;
      event.preventDefault();
      const next = event.key === "ArrowDown" ? buttons[i + 1] : buttons[i - 1];
      (next || (event.key === "ArrowUp" ? this.input : null))?.focus();
    });
  }

  reset() {
    this.input.value = "";
    this.users = [];
    clear(this.results);
    if (this.note) this.note.textContent = "";
  }

  async search() {
    const q = this.input.value.trim();
    const seq = ++this.seq;
    if (!q) {
      this.users = [];
      this.render();
      return;
    }
    try {
      const { users } = await get(`/api/users?q=${encodeURIComponent(q)}`, { redirectOn401: true });
      if (seq !== this.seq) return;
      this.users = users || [];
      this.render();
    } catch (error) {
      if (seq !== this.seq) return;
      this.users = [];
      this.render(error.message);
    }
  }

  render(errorText) {
    clear(this.results);
    const shown = this.users.filter((u) => !this.exclude(u));
    for (const u of shown) {
      this.results.append(el("li", {},
        el("button", {
          class: "user-result",
          attrs: { type: "button" },
          data: { username: u.username, userId: u.id },
          on: { click: () => this.onPick(u) },
        },
          avatar({ url: u.avatar_url, name: displayName(u), key: u.id, size: "sm" }),
          el("span", { class: "user-result__names" },
            el("span", { class: "user-result__name", text: displayName(u) }),
            el("span", { class: "user-result__username", text: `@${u.username}` })))));
    }
    if (this.note) {
      this.note.textContent = errorText || (this.input.value.trim() && shown.length === 0 ? "Nobody found." : "");
    }
  }
}
