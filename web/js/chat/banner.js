// The connection banner: hidden while connected; "Connecting…",
// "Reconnecting…" (with a button to retry now) or "Offline" otherwise.
import { el, clear } from "../dom.js";

const SHOW_DELAY = 700; // a quick connect should not flash the banner

export class ConnectionBanner {
  constructor(onRetry) {
    this.node = document.getElementById("connection-banner");
    this.onRetry = onRetry;
    this.timer = null;
  }

  show(state) {
    this.node.dataset.state = state;
    clearTimeout(this.timer);
    if (state === "open" || state === "stopped") {
      this.node.hidden = true;
      clear(this.node);
      return;
    }
    clear(this.node);
    if (state === "connecting") {
      this.node.append("Connecting…");
    } else if (state === "offline") {
      this.node.append("You are offline. New messages will appear when the connection is back.");
    } else {
      this.node.append("Connection lost. Reconnecting…",
        el("button", { class: "link-button", text: "Retry now", attrs: { type: "button" }, on: { click: () => this.onRetry() } }));
    }
    if (this.node.hidden) this.timer = setTimeout(() => { this.node.hidden = false; }, state === "offline" ? 0 : SHOW_DELAY);
  }
}
