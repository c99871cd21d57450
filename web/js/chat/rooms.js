// Room list logic: ordering, previews, unread totals.
import { toDate } from "../time.js";
import { displayName } from "./typing.js";

/** Milliseconds of a room's latest activity (its last message, else its creation). */
export function roomActivity(room) {
  const d = toDate((room.last_message && room.last_message.created_at) || room.created_at);
  return d ? d.getTime() : 0;
}

/** Latest activity first; ties by id, newest first. */
export function sortRooms(rooms) {
  return [...rooms].sort((a, b) => roomActivity(b) - roomActivity(a) || b.id - a.id);
}

export function totalUnread(rooms) {
  let n = 0;
  for (const r of rooms) n += Math.max(0, r.unread | 0);
  return n;
}

export function documentTitle(unread, base = "Chat") {
  return unread > 0 ? `(${unread}) ${base}` : base;
}

/** One line about a message: "You: hi", "Alice: hi" (groups), "Photo". */
export function previewText(message, myId, kind = "group") {
  if (!message) return "No messages yet";
  const what = message.kind === "image" ? "Photo" : String(message.body || "").replace(/\s+/g, " ").trim();
  const mine = message.author && message.author.id === myId;
  if (mine) return `You: ${what}`;
  if (kind === "group") return `${displayName(message.author)}: ${what}`;
  return what;
}

/** Merges a room object from an event into what we know, keeping our own counters. */
export function mergeRoom(known, incoming) {
  if (!known) return { unread: 0, last_message: null, last_read_id: null, ...incoming };
  const merged = { ...known, ...incoming };
  merged.unread = known.unread;
  merged.last_read_id = Math.max(known.last_read_id || 0, incoming.last_read_id || 0) || null;
  const a = known.last_message;
  const b = incoming.last_message;
  merged.last_message = !a ? b || null : !b ? a : b.id >= a.id ? b : a;
  return merged;
}
