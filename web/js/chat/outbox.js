// Sending: a message appears at once as pending under its client_id, is posted, and is confirmed by
// the reply or the event, whichever comes first (MessageList keeps one copy). A failed send stays on
// screen to be retried (same client_id, so never stored twice) or discarded.
import { post, upload, goToLogin, ApiError } from "../api.js";
import { waitText } from "../forms.js";

export function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export class Outbox {
  /** `app` is the ChatApp: its message lists, `me`, the open room, rendering and `receiveMessage`. */
  constructor(app) {
    this.app = app;
  }

  sendText(roomId, text) {
    this.send(roomId, { kind: "text", body: text });
  }

  sendImage(roomId, file) {
    this.send(roomId, { kind: "image", image_url: URL.createObjectURL(file), file });
  }

  send(roomId, fields) {
    const list = this.app.lists.get(roomId);
    if (!list) return;
    const clientId = newClientId();
    list.addPending({ client_id: clientId, room_id: roomId, author: this.app.me, created_at: new Date().toISOString(), ...fields });
    this.app.renderMessages({ forceBottom: true });
    this.deliver(roomId, clientId);
  }

  async deliver(roomId, clientId) {
    const app = this.app;
    const list = app.lists.get(roomId);
    const pending = list && list.findPending(clientId);
    if (!pending) return;
    list.setPendingState(clientId, "sending");
    if (roomId === app.openRoomId) app.renderMessages();
    let message;
    try {
      message = pending.kind === "image"
        ? await upload("POST", `/api/rooms/${roomId}/images?client_id=${encodeURIComponent(clientId)}`, pending.file)
        : await post(`/api/rooms/${roomId}/messages`, { body: pending.body, client_id: clientId });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return goToLogin();
      const reason = error instanceof ApiError && error.status === 429
        ? `too many messages, try again in ${waitText(error.retryAfter)}`
        : error.message;
      list.setPendingState(clientId, "failed", reason);
      if (roomId === app.openRoomId) app.renderMessages();
      return;
    }
    list.removePending(clientId);
    app.receiveMessage(roomId, message);
    if (pending.image_url) setTimeout(() => URL.revokeObjectURL(pending.image_url), 1000);
  }

  discard(roomId, clientId) {
    const list = this.app.lists.get(roomId);
    const p = list && list.removePending(clientId);
    if (p && p.image_url) URL.revokeObjectURL(p.image_url);
    this.app.renderMessages();
  }
}
