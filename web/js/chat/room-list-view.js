// Renders the room list: picture or initials, online dot (private rooms),
// name, last message preview, relative time, unread badge.
import { el, clear, avatar } from "../dom.js";
import { relativeTime, formatDateTime } from "../time.js";
import { previewText } from "./rooms.js";

export class RoomListView {
  constructor(listEl, emptyEl) {
    this.listEl = listEl;
    this.emptyEl = emptyEl;
  }

  /** rooms: sorted; ctx: {me, openRoomId, otherMember(room) → user|null, isOnline(userId)}. */
  render(rooms, ctx) {
    const focusedId = document.activeElement && this.listEl.contains(document.activeElement)
      ? document.activeElement.closest("[data-room-id]")?.dataset.roomId
      : null;
    clear(this.listEl);
    const now = new Date();
    for (const room of rooms) this.listEl.append(this.item(room, ctx, now));
    this.emptyEl.hidden = rooms.length > 0;
    if (focusedId) this.listEl.querySelector(`[data-room-id="${CSS.escape(focusedId)}"] a`)?.focus();
  }

  item(room, ctx, now) {
    const other = room.kind === "private" ? ctx.otherMember(room) : null;
    const online = room.kind === "private" ? Boolean(other && ctx.isOnline(other.id)) : undefined;
    const last = room.last_message;
    const unread = Math.max(0, room.unread | 0);
    const activity = last ? last.created_at : room.created_at;
    const isOpen = room.id === ctx.openRoomId;
    const label = [
      room.name,
      room.kind === "private" && online ? "online" : null,
      unread ? `${unread} unread` : null,
    ].filter(Boolean).join(", ");
    return el("li", {
      class: `room-item${unread ? " has-unread" : ""}`,
      data: { roomId: room.id, kind: room.kind, unread },
    },
      el("a", {
        class: "room-item__link",
        attrs: { href: `#room=${room.id}`, "aria-current": isOpen ? "true" : null, "aria-label": label },
      },
        avatar({ url: room.picture_url, name: room.name, key: other ? other.id : `room${room.id}`, size: "md", online }),
        el("span", { class: "room-item__text" },
          el("span", { class: "room-item__top" },
            el("span", { class: "room-item__name", text: room.name }),
            el("time", {
              class: "room-item__time",
              text: relativeTime(activity, now),
              attrs: { datetime: activity, title: formatDateTime(activity) },
            })),
          el("span", { class: "room-item__bottom" },
            el("span", { class: "room-item__preview", text: previewText(last, ctx.me.id, room.kind) }),
            unread ? el("span", { class: "unread-badge", text: unread > 99 ? "99+" : String(unread), attrs: { "aria-hidden": "true" } }) : null))));
  }
}
