// Who is typing where. Each typist expires TYPING_TTL after their last event,
// or at once when their message arrives or they go offline.

export const TYPING_TTL = 6000;

export class TypingTracker {
  constructor(ttl = TYPING_TTL) {
    this.ttl = ttl;
    this.rooms = new Map(); // roomId → Map(userId → {user, expires})
  }

  add(roomId, user, now = Date.now()) {
    if (!user || user.id === undefined) return;
    let room = this.rooms.get(roomId);
    if (!room) this.rooms.set(roomId, (room = new Map()));
    room.set(user.id, { user, expires: now + this.ttl });
  }

  /** Returns true if that user was shown as typing there. */
  remove(roomId, userId) {
    const room = this.rooms.get(roomId);
    return Boolean(room && room.delete(userId));
  }

  /** The user went offline: returns the rooms that changed. */
  removeUser(userId) {
    const changed = [];
    for (const [roomId, room] of this.rooms) if (room.delete(userId)) changed.push(roomId);
    return changed;
  }

  /** Typists of a room still within their time, in the order they started. */
  users(roomId, now = Date.now()) {
    const room = this.rooms.get(roomId);
    if (!room) return [];
    const out = [];
    for (const [id, entry] of room) {
      if (entry.expires > now) out.push(entry.user);
      else room.delete(id);
    }
    return out;
  }

  /** The earliest expiry still ahead, or null. */
  nextExpiry(now = Date.now()) {
    let next = null;
    for (const room of this.rooms.values()) {
      for (const entry of room.values()) {
        if (entry.expires > now && (next === null || entry.expires < next)) next = entry.expires;
      }
    }
    return next;
  }
}

export function displayName(user) {
  return (user && (user.display_name || user.username)) || "Someone";
}

/** "Alice is typing…", "Alice and Bob are typing…", "Several people are typing…". */
export function typingText(users) {
  if (!users || users.length === 0) return "";
  if (users.length === 1) return `${displayName(users[0])} is typing…`;
  if (users.length === 2) return `${displayName(users[0])} and ${displayName(users[1])} are typing…`;
  return "Several people are typing…";
}
