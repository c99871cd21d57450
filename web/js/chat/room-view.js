// Renders the open room's messages: day separators, groups by author with
// avatars and local times, inline images, pending/failed sends, read receipts.
// Keeps the view at the bottom only when it already was there.
import { el, clear, avatar } from "../dom.js";
import { formatTime, formatDateTime, dayLabel } from "../time.js";
import { groupMessages } from "./grouping.js";
import { linkSegments } from "./links.js";
import { displayName } from "./typing.js";
import { seenMessageId, readersByMessage } from "./receipts.js";

const PIN_DISTANCE = 48;
const LOAD_OLDER_DISTANCE = 150;

export class RoomView {
  constructor({ onLoadOlder, onRetry, onDiscard, onOpenImage, onScroll }) {
    this.scroller = document.getElementById("message-scroller");
    this.listEl = document.getElementById("message-list");
    this.historyStatus = document.getElementById("history-status");
    this.typingEl = document.getElementById("typing-indicator");
    this.jumpButton = document.getElementById("jump-to-latest");
    this.callbacks = { onLoadOlder, onRetry, onDiscard, onOpenImage, onScroll };
    this.cache = new Map(); // message id → li element (stored messages only)
    this.pinned = true;
    this.scroller.addEventListener("scroll", () => this.onScroll(), { passive: true });
    this.jumpButton.addEventListener("click", () => {
      this.scrollToBottom();
      document.getElementById("message-input").focus();
    });
    // Images and other late layout changes: stay at the bottom if we were there.
    new ResizeObserver(() => {
      if (this.pinned) this.scrollToBottom();
    }).observe(this.listEl);
  }

  /** A different room is shown: forget cached elements, start at the bottom. */
  reset() {
    this.cache.clear();
    clear(this.listEl);
    this.pinned = true;
    this.jumpButton.hidden = true;
    this.setTyping("");
    this.setHistoryStatus("");
  }

  distanceFromBottom() {
    return this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight;
  }

  onScroll() {
    this.pinned = this.distanceFromBottom() < PIN_DISTANCE;
    if (this.pinned) this.jumpButton.hidden = true;
    if (this.scroller.scrollTop < LOAD_OLDER_DISTANCE) this.callbacks.onLoadOlder();
    this.callbacks.onScroll();
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.pinned = true;
    this.jumpButton.hidden = true;
  }

  /** True when there is no more room to scroll, so older history should load now. */
  needsMoreHistory() {
    return this.scroller.scrollHeight <= this.scroller.clientHeight + LOAD_OLDER_DISTANCE;
  }

  setHistoryStatus(text) {
    this.historyStatus.textContent = text;
  }

  setTyping(text) {
    if (this.typingEl.textContent !== text) this.typingEl.textContent = text;
  }

  /** Whether the newest stored message is on screen. */
  isNewestVisible() {
    const items = this.listEl.querySelectorAll("li.message[data-message-id]");
    const last = items[items.length - 1];
    if (!last) return true;
    const a = last.getBoundingClientRect();
    const b = this.scroller.getBoundingClientRect();
    return a.top < b.bottom && a.bottom > b.top;
  }

  /**
   * Renders `list` (a MessageList). ctx: {me, room, members}. opts.keepOlderAnchor:
   * older messages were prepended, keep what the reader looks at in place.
   * opts.forceBottom: I just sent. opts.newFromOthers: show "New messages".
   */
  render(list, ctx, opts = {}) {
    const oldHeight = this.scroller.scrollHeight;
    const oldTop = this.scroller.scrollTop;
    const wasPinned = this.pinned;
    const items = list.items();
    const confirmed = list.confirmed;
    const receipts = this.receipts(confirmed, ctx);
    const fragment = document.createDocumentFragment();
    const now = new Date();
    const live = new Set();
    for (const entry of groupMessages(items)) {
      if (entry.type === "day") {
        fragment.append(el("li", { class: "day-separator", attrs: { role: "separator" }, text: dayLabel(entry.date, now) }));
        continue;
      }
      fragment.append(this.group(entry, ctx, receipts, live));
    }
    for (const key of this.cache.keys()) if (!live.has(key)) this.cache.delete(key);
    clear(this.listEl);
    this.listEl.append(fragment);

    if (opts.forceBottom || wasPinned) {
      this.scrollToBottom();
    } else if (opts.keepOlderAnchor) {
      this.scroller.scrollTop = oldTop + (this.scroller.scrollHeight - oldHeight);
    } else {
      this.scroller.scrollTop = oldTop;
      if (opts.newFromOthers) this.jumpButton.hidden = false;
    }
  }

  receipts(confirmed, ctx) {
    const out = new Map(); // message id → node
    const others = (ctx.members || []).filter((m) => m.id !== ctx.me.id);
    if (ctx.room.kind === "private") {
      const other = others[0];
      const seen = other ? seenMessageId(confirmed, ctx.me.id, other.last_read_id) : null;
      if (seen) out.set(seen, el("span", { class: "seen-label", text: "Seen", attrs: { title: `Seen by ${displayName(other)}` } }));
      return out;
    }
    const shown = new Set(confirmed.map((m) => m.id));
    for (const [messageId, readers] of readersByMessage(ctx.members, ctx.me.id, shown)) {
      out.set(messageId, readers.map((u) =>
        el("span", {
          class: "read-avatar",
          data: { userId: u.id },
          attrs: { tabindex: "0", "aria-label": `Seen by ${displayName(u)}`, title: displayName(u) },
        },
          avatar({ url: u.avatar_url, name: displayName(u), key: u.id, size: "xs" }),
          el("span", { class: "read-avatar__name", text: displayName(u), attrs: { "aria-hidden": "true" } }))));
    }
    return out;
  }

  group(entry, ctx, receipts, live) {
    const mine = entry.author.id === ctx.me.id;
    const messages = el("ol", { class: "message-group__messages" });
    for (const m of entry.messages) {
      const node = m.id ? this.stored(m, ctx) : this.pending(m);
      if (m.id) live.add(m.id);
      const slot = node.querySelector(".receipts");
      clear(slot);
      const r = m.id ? receipts.get(m.id) : null;
      if (r) slot.append(...[r].flat());
      messages.append(node);
    }
    const name = mine ? "You" : displayName(entry.author);
    return el("li", { class: `message-group${mine ? " message-group--mine" : ""}`, data: { authorId: entry.author.id } },
      mine ? null : el("span", { class: "message-group__avatar" },
        avatar({ url: entry.author.avatar_url, name, key: entry.author.id, size: "sm" })),
      el("div", { class: "message-group__content" },
        mine ? el("span", { class: "visually-hidden", text: "You" }) : el("div", { class: "message-group__header" },
          el("span", { class: "message-group__author", text: name })),
        messages));
  }

  /** A stored message: built once, then reused so images never reload. */
  stored(m) {
    const cached = this.cache.get(m.id);
    if (cached) return cached;
    const node = el("li", {
      class: `message message--${m.kind === "image" ? "image" : "text"}`,
      attrs: { id: `message-${m.id}` },
      data: { messageId: m.id, clientId: m.client_id || null, authorId: m.author ? m.author.id : null },
    },
      el("div", { class: "message__row" }, this.bubble(m), this.time(m)),
      el("div", { class: "receipts" }));
    this.cache.set(m.id, node);
    return node;
  }

  pending(m) {
    const failed = m.state === "failed";
    const status = failed
      ? el("div", { class: "message__status" },
          el("span", { text: m.error ? `Not sent: ${m.error}` : "Not sent." }),
          el("button", { class: "link-button", text: "Retry", attrs: { type: "button" }, data: { action: "retry" }, on: { click: () => this.callbacks.onRetry(m.client_id) } }),
          el("button", { class: "link-button", text: "Discard", attrs: { type: "button" }, data: { action: "discard" }, on: { click: () => this.callbacks.onDiscard(m.client_id) } }))
      : el("div", { class: "message__status", text: "Sending…" });
    return el("li", {
      class: `message message--${m.kind === "image" ? "image" : "text"} is-pending${failed ? " is-failed" : ""}`,
      data: { clientId: m.client_id, state: m.state },
    },
      el("div", { class: "message__row" }, this.bubble(m), this.time(m)),
      status,
      el("div", { class: "receipts" }));
  }

  bubble(m) {
    if (m.kind === "image") {
      const alt = `Picture from ${displayName(m.author)}`;
      const link = el("a", { class: "message__image-link", attrs: { href: m.image_url, target: "_blank", rel: "noopener", "aria-label": `${alt}, open full size` } },
        el("img", { class: "message__image", attrs: { src: m.image_url, alt, loading: "lazy", decoding: "async" } }));
      link.addEventListener("click", (event) => {
        event.preventDefault();
        this.callbacks.onOpenImage(m.image_url, alt);
      });
      return el("div", { class: "message__bubble" }, link);
    }
    const parts = linkSegments(m.body).map((part) => part.href
      ? el("a", { text: part.text, attrs: { href: part.href, target: "_blank", rel: "noopener noreferrer nofollow" } })
      : part.text);
    return el("div", { class: "message__bubble" }, el("p", { class: "message__body" }, parts));
  }

  time(m) {
    return el("time", { class: "message__time", text: formatTime(m.created_at), attrs: { datetime: m.created_at || "", title: formatDateTime(m.created_at) } });
  }
}
