// The message box: Enter sends, Shift+Enter adds a line, typing events at most
// every 3 s while the box is not empty, pictures by button or paste. Drafts
// are kept per room.

export const TYPING_INTERVAL = 3000;
const MAX_IMAGE = 5 * 1024 * 1024;
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];

export class Composer {
  constructor({ onSend, onImage, onTyping }) {
    this.form = document.getElementById("composer");
    this.input = document.getElementById("message-input");
    this.fileInput = document.getElementById("image-input");
    this.errorEl = document.getElementById("composer-error");
    this.callbacks = { onSend, onImage, onTyping };
    this.roomId = null;
    this.drafts = new Map();
    this.lastTyping = 0;

    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !event.altKey && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("input", () => {
      this.hideError();
      if (this.roomId !== null) this.drafts.set(this.roomId, this.input.value);
      const now = Date.now();
      if (this.input.value.trim() && now - this.lastTyping >= TYPING_INTERVAL) {
        this.lastTyping = now;
        this.callbacks.onTyping(this.roomId);
      }
    });
    document.getElementById("attach-button").addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", () => {
      const file = this.fileInput.files[0];
      this.fileInput.value = "";
      if (file) this.image(file);
    });
    this.input.addEventListener("paste", (event) => {
      const file = [...(event.clipboardData?.files || [])].find((f) => f.type.startsWith("image/"));
      if (file) {
        event.preventDefault();
        this.image(file);
      }
    });
  }

  setRoom(roomId) {
    this.roomId = roomId;
    this.lastTyping = 0;
    this.input.value = this.drafts.get(roomId) || "";
    this.hideError();
  }

  focus() {
    this.input.focus();
  }

  submit() {
    const text = this.input.value;
    if (!text.trim()) return;
    if ([...text].length > 4000) return this.showError("A message can have at most 4000 characters.");
    this.input.value = "";
    this.drafts.delete(this.roomId);
    this.lastTyping = 0;
    this.callbacks.onSend(this.roomId, text);
  }

  image(file) {
    if (file.type && !IMAGE_TYPES.includes(file.type)) return this.showError("Send a PNG, JPEG, GIF or WebP picture.");
    if (file.size > MAX_IMAGE) return this.showError("That picture is larger than 5 MB.");
    this.hideError();
    this.callbacks.onImage(this.roomId, file);
  }

  showError(text) {
    this.errorEl.textContent = text;
    this.errorEl.hidden = false;
  }

  hideError() {
    if (!this.errorEl.hidden) {
      this.errorEl.hidden = true;
      this.errorEl.textContent = "";
    }
  }
}
