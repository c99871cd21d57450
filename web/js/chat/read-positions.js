// The read positions the page posts for the rooms: at most one POST per room per READ_INTERVAL, a
// held-back one posted later (even if the reader opened another room meanwhile) or at once when the
// page goes away, and never one at or below what was already posted or reported by another tab.
import { post } from "../api.js";

const READ_INTERVAL = 1000;

export class ReadPositions {
  /** `room(id)` gives the live room object; its `last_read_id` rises when a POST succeeds. */
  constructor(room) {
    this.room = room;
    this.sent = new Map(); // room id → highest read id posted
    this.at = new Map(); // room id → time of the last read POST
    this.held = new Map(); // room id → {timer, messageId}: a POST held back by READ_INTERVAL
  }

  /** My read position moved elsewhere (another tab): nothing at or below it needs posting. */
  noteSent(id, messageId) {
    this.sent.set(id, Math.max(this.sent.get(id) || 0, messageId));
  }

  forget(id) {
    this.sent.delete(id);
    clearTimeout(this.held.get(id)?.timer);
    this.held.delete(id);
  }

  /** Posts that room `id` was read up to `messageId`, now or when READ_INTERVAL allows. */
  mark(id, messageId, { now = false } = {}) {
    const room = this.room(id);
    if (!room) return;
    const done = Math.max(room.last_read_id || 0, this.sent.get(id) || 0);
    if (messageId <= done) return;
    clearTimeout(this.held.get(id)?.timer);
    this.held.delete(id);
    const wait = (this.at.get(id) || 0) + READ_INTERVAL - Date.now();
    if (wait > 0 && !now) {
      const timer = setTimeout(() => {
        this.held.delete(id);
        this.mark(id, messageId);
      }, wait);
      this.held.set(id, { timer, messageId });
      return;
    }
    this.at.set(id, Date.now());
    this.sent.set(id, messageId);
    post(`/api/rooms/${id}/read`, { message_id: messageId }, { keepalive: now })
      .then(() => {
        const r = this.room(id);
        if (r) r.last_read_id = Math.max(r.last_read_id || 0, messageId);
      })
      .catch(() => {
        if (this.sent.get(id) === messageId) this.sent.set(id, done);
      });
  }

  /** The page goes away (closed, reloaded, left): held-back positions are posted now. */
  flush() {
    for (const [id, { messageId }] of [...this.held]) this.mark(id, messageId, { now: true });
  }
}
