// Groups messages for display: a day separator when the local day changes,
// and consecutive messages by one author within a few minutes form a group.
import { dayKey, toDate } from "../time.js";

export const GROUP_GAP_MS = 5 * 60_000;

/**
 * items: messages in display order (stored then pending), each with
 * author.id and created_at. Returns [{type: "day", key, date} |
 * {type: "group", key, author, messages: [...]}].
 */
export function groupMessages(items, gapMs = GROUP_GAP_MS) {
  const out = [];
  let day = null;
  let group = null;
  let lastTime = 0;
  for (const m of items) {
    const date = toDate(m.created_at) || new Date();
    const key = dayKey(date);
    if (key !== day) {
      day = key;
      out.push({ type: "day", key: `day-${key}`, date });
      group = null;
    }
    const authorId = m.author ? m.author.id : null;
    const time = date.getTime();
    if (!group || group.author.id !== authorId || time - lastTime > gapMs) {
      const first = m.id ? `m${m.id}` : `c${m.client_id}`;
      group = { type: "group", key: `g-${first}`, author: m.author || { id: null, username: "?" }, messages: [] };
      out.push(group);
    }
    group.messages.push(m);
    lastTime = time;
  }
  return out;
}
