// One room's messages as the client knows them: stored messages ordered by id
// (deduplicated by id) and, after them, my pending sends keyed by client_id.
// A stored message that carries the client_id of a pending one replaces it, so
// a send confirmed by both the HTTP reply and the WebSocket shows once.

export class MessageList {
  constructor() {
    this.confirmed = []; // sorted by id
    this.ids = new Set();
    this.pending = []; // {client_id, author, kind, body, image_url, created_at, state: "sending"|"failed", error}
    this.hasMore = true; // older history exists on the server
    this.loaded = false; // the latest page has been fetched
    this.cleared = false; // I cleared the history here (so an empty list says so)
  }

  get lastId() {
    return this.confirmed.length ? this.confirmed[this.confirmed.length - 1].id : 0;
  }

  get oldestId() {
    return this.confirmed.length ? this.confirmed[0].id : 0;
  }

  get newest() {
    return this.confirmed.length ? this.confirmed[this.confirmed.length - 1] : null;
  }

  has(id) {
    return this.ids.has(id);
  }

  /** Adds stored messages; returns those that were not known before. */
  add(messages) {
    const added = [];
    for (const m of messages) {
      if (!m || !Number.isInteger(m.id) || m.id <= 0) continue;
      if (m.client_id) this.removePending(m.client_id, m.author && m.author.id);
      if (this.ids.has(m.id)) continue;
      this.ids.add(m.id);
      this.insert(m);
      added.push(m);
    }
    return added;
  }

  insert(m) {
    const list = this.confirmed;
    if (list.length === 0 || list[list.length - 1].id < m.id) {
      list.push(m);
      return;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].id < m.id) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, m);
  }

  addPending(entry) {
    this.pending.push({ state: "sending", error: null, ...entry });
  }

  findPending(clientId) {
    return this.pending.find((p) => p.client_id === clientId) || null;
  }

  setPendingState(clientId, state, error = null) {
    const p = this.findPending(clientId);
    if (p) {
      p.state = state;
      p.error = error;
    }
    return p;
  }

  /** Removes a pending send; when `authorId` is given it must be the pending one's author. */
  removePending(clientId, authorId) {
    const i = this.pending.findIndex(
      (p) => p.client_id === clientId && (authorId === undefined || authorId === null || p.author.id === authorId),
    );
    if (i < 0) return null;
    const [p] = this.pending.splice(i, 1);
    return p;
  }

  /** The stored reply to a pending send: the pending one goes, the stored one stays once. */
  confirm(clientId, message) {
    this.removePending(clientId);
    return this.add([message]);
  }

  /** History cleared up to now: everything stored goes; pending sends stay. */
  clear() {
    this.confirmed = [];
    this.ids.clear();
    this.hasMore = false;
    this.cleared = true;
  }

  /** Everything to show, oldest first: stored, then pending. */
  items() {
    return this.confirmed.concat(this.pending);
  }
}
