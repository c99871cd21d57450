// Read receipts: "Seen" in private rooms, reader avatars in groups.

/**
 * Private room: the id of the last of my messages that the other member has
 * read (their last_read_id is at or after it), or null.
 */
export function seenMessageId(messages, myId, otherLastReadId) {
  if (!otherLastReadId) return null;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!m.id || m.id > otherLastReadId) continue;
    if (m.author && m.author.id === myId) return m.id;
  }
  return null;
}

/**
 * Group: message id → members (not me) whose read position is exactly that
 * message, for the messages on screen.
 */
export function readersByMessage(members, myId, shownIds) {
  const out = new Map();
  for (const member of members || []) {
    if (member.id === myId || !member.last_read_id || !shownIds.has(member.last_read_id)) continue;
    if (!out.has(member.last_read_id)) out.set(member.last_read_id, []);
    out.get(member.last_read_id).push(member);
  }
  return out;
}
