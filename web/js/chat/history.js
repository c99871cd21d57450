// Loading history into the rooms' MessageLists: the latest page when a room opens, older pages as
// the user scrolls up (`before`), and everything after the last known message once the socket is
// back (`after`), so nothing is missing and nothing doubles.
import { get } from "../api.js";
import { MessageList } from "./message-list.js";

const PAGE = 50;
const CATCH_UP_PAGES = 20;

export class History {
  /** `app` is the ChatApp: its message lists, the open room and its view, rendering and typing. */
  constructor(app) {
    this.app = app;
    this.loadingOlder = false;
  }

  async latest(id) {
    const app = this.app;
    const list = app.lists.get(id);
    try {
      const { messages, has_more } = await get(`/api/rooms/${id}/messages?limit=${PAGE}`, { redirectOn401: true });
      list.add(messages);
      list.hasMore = Boolean(has_more);
      list.loaded = true;
      app.noteLastMessage(id, list.newest);
    } catch (error) {
      if (id === app.openRoomId) app.roomView.setHistoryStatus(`Could not load messages: ${error.message}`);
      return;
    }
    if (id === app.openRoomId) {
      app.renderMessages({ forceBottom: true });
      this.fillScreen(list);
    }
  }

  /** The page before the oldest message of the open room. */
  async older() {
    const app = this.app;
    const id = app.openRoomId;
    const list = id === null ? null : app.lists.get(id);
    if (!list || !list.loaded || !list.hasMore || this.loadingOlder || list.confirmed.length === 0) return;
    this.loadingOlder = true;
    app.roomView.setHistoryStatus("Loading older messages…");
    try {
      const { messages, has_more } = await get(`/api/rooms/${id}/messages?before=${list.oldestId}&limit=${PAGE}`, { redirectOn401: true });
      list.add(messages);
      list.hasMore = Boolean(has_more);
    } catch (error) {
      if (id === app.openRoomId) app.roomView.setHistoryStatus(`Could not load older messages: ${error.message}`);
      return;
    } finally {
      this.loadingOlder = false;
    }
    if (id !== app.openRoomId) return;
    app.renderMessages({ keepOlderAnchor: true });
    this.fillScreen(list);
  }

  /** Keeps loading older pages while the open room does not fill its view. */
  fillScreen(list) {
    if (list.hasMore && this.app.roomView.needsMoreHistory()) this.older();
  }

  /** Fetches everything after the last known message of a room (after reconnects and resyncs). */
  async catchUp(id) {
    const app = this.app;
    const list = app.lists.get(id);
    if (!list || !list.loaded) return;
    if (list.lastId === 0) {
      list.loaded = false;
      return this.latest(id);
    }
    for (let page = 0; page < CATCH_UP_PAGES; page++) {
      const after = list.lastId;
      const { messages, has_more } = await get(`/api/rooms/${id}/messages?after=${after}&limit=100`, { redirectOn401: true });
      if (app.lists.get(id) !== list) return;
      const added = list.add(messages);
      for (const m of added) if (m.author) app.typing.remove(id, m.author.id);
      app.noteLastMessage(id, list.newest);
      if (added.length && id === app.openRoomId) app.renderMessages({ newFromOthers: added.some((m) => m.author.id !== app.me.id) });
      if (!has_more || messages.length === 0) return;
    }
    // Far behind: start again from the latest page.
    app.lists.set(id, new MessageList());
    if (id === app.openRoomId) app.roomView.reset();
    await this.latest(id);
  }
}
