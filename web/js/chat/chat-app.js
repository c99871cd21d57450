// The chat page's state and behaviour: rooms, the open room, rendering. Real-time frames are
// handled in frames.js, history in history.js, sending in outbox.js, read positions in
// read-positions.js, the room menu's actions in room-actions.js.
import { get, post, ApiError } from "../api.js";
import { announce, avatar, clear } from "../dom.js";
import { ChatSocket } from "../socket.js";
import { MessageList } from "./message-list.js";
import { TypingTracker, typingText, displayName } from "./typing.js";
import { sortRooms, totalUnread, documentTitle, mergeRoom, previewText } from "./rooms.js";
import { RoomListView } from "./room-list-view.js";
import { RoomView } from "./room-view.js";
import { Composer } from "./composer.js";
import { RoomMenu } from "./room-menu.js";
import { ConnectionBanner } from "./banner.js";
import { wireDialogs, openImage } from "./dialogs.js";
import { wireNewRoomDialogs } from "./new-room-dialogs.js";
import { handleFrame } from "./frames.js";
import { ReadPositions } from "./read-positions.js";
import { Outbox } from "./outbox.js";
import { History } from "./history.js";
import { RoomActions } from "./room-actions.js";

export class ChatApp {
  constructor() {
    this.me = null;
    this.rooms = new Map(); // id → room (from GET /api/rooms, kept live)
    this.members = new Map(); // room id → members (from GET /api/rooms/{id})
    this.lists = new Map(); // room id → MessageList (rooms whose history was opened)
    this.online = new Map(); // user id → bool
    this.typing = new TypingTracker();
    this.openRoomId = null;
    this.reads = new ReadPositions((id) => this.rooms.get(id));
    this.outbox = new Outbox(this);
    this.history = new History(this);
    this.actions = new RoomActions(this);
    this.typingTimer = null;
    this.resyncing = false;
    this.resyncAgain = false;
    this.roomsRefreshTimer = null;

    this.main = document.getElementById("main");
    this.roomList = new RoomListView(document.getElementById("room-list"), document.getElementById("room-list-empty"));
    this.roomView = new RoomView({
      onLoadOlder: () => this.history.older(),
      onRetry: (clientId) => this.outbox.deliver(this.openRoomId, clientId),
      onDiscard: (clientId) => this.outbox.discard(this.openRoomId, clientId),
      onOpenImage: openImage,
      onScroll: () => this.checkRead(),
    });
    this.composer = new Composer({
      onSend: (roomId, text) => this.outbox.sendText(roomId, text),
      onImage: (roomId, file) => this.outbox.sendImage(roomId, file),
      onTyping: (roomId) => this.socket && this.socket.send({ type: "typing", room_id: roomId }),
    });
    this.menu = new RoomMenu({
      room: () => this.rooms.get(this.openRoomId),
      members: () => this.members.get(this.openRoomId) || [],
      me: () => this.me,
      isOnline: (id) => this.isOnline(id),
      rename: (name) => this.actions.rename(name),
      setPicture: (file) => this.actions.setPicture(file),
      addMember: (username) => this.actions.addMember(username),
      clearHistory: () => this.actions.clearHistory(),
      leave: () => this.actions.leave(),
    });
    this.banner = new ConnectionBanner(() => this.socket.reconnectNow());
  }

  async start() {
    this.me = await get("/api/auth/me", { redirectOn401: true });
    wireDialogs();
    wireNewRoomDialogs({
      me: () => this.me,
      createPrivate: (username) => this.createRoom({ kind: "private", username }),
      createGroup: (name, members) => this.createRoom({ kind: "group", name, members }),
    });
    document.getElementById("back-to-rooms").addEventListener("click", () => this.navigate(null));
    document.getElementById("room-menu-button").addEventListener("click", () => this.menu.open());
    window.addEventListener("hashchange", () => this.route());
    window.addEventListener("focus", () => this.checkRead());
    window.addEventListener("pagehide", () => this.reads.flush());
    document.addEventListener("visibilitychange", () => this.checkRead());
    setInterval(() => this.renderRooms(), 60_000);

    try {
      await this.loadRooms();
    } catch (error) {
      this.showRoomsError(error);
    }
    this.route();
    this.socket = new ChatSocket({
      onFrame: (frame) => handleFrame(this, frame),
      onState: (state) => this.banner.show(state),
      onFailure: (failures) => this.checkSession(failures),
    });
    this.socket.start();
  }

  // ----- rooms

  async loadRooms() {
    const { rooms } = await get("/api/rooms", { redirectOn401: true });
    const fresh = new Map();
    for (const r of rooms) fresh.set(r.id, { ...r });
    for (const id of this.rooms.keys()) {
      if (!fresh.has(id)) this.forgetRoom(id);
    }
    this.rooms = fresh;
    document.getElementById("rooms-error").hidden = true;
    // The server may count as unread what is on screen in the open room (a read post held back by
    // ReadPositions, or one that crossed this request): on screen is read.
    this.checkRead();
    this.renderRooms();
    if (this.openRoomId !== null && !this.rooms.has(this.openRoomId)) this.navigate(null);
    this.fetchPrivateMembers();
  }

  showRoomsError(error) {
    if (error instanceof ApiError && error.status === 401) return;
    const slot = document.getElementById("rooms-error");
    slot.textContent = `Could not load your conversations: ${error.message}`;
    slot.hidden = false;
  }

  /** Refreshes the room list soon, once, for events we cannot apply locally. */
  refreshRoomsSoon() {
    clearTimeout(this.roomsRefreshTimer);
    this.roomsRefreshTimer = setTimeout(() => this.loadRooms().catch(() => {}), 300);
  }

  forgetRoom(id) {
    this.rooms.delete(id);
    this.lists.delete(id);
    this.members.delete(id);
    this.reads.forget(id);
  }

  /** Members of private rooms, for the other person's online dot. A few at a time. */
  async fetchPrivateMembers() {
    const missing = [...this.rooms.values()].filter((r) => r.kind === "private" && !this.members.has(r.id));
    const worker = async () => {
      while (missing.length) {
        const room = missing.shift();
        await this.fetchMembers(room.id).catch(() => {});
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    this.renderRooms();
  }

  async fetchMembers(roomId) {
    const room = await get(`/api/rooms/${roomId}`, { redirectOn401: true });
    if (!this.rooms.has(roomId)) return;
    const { members, ...rest } = room;
    this.members.set(roomId, members || []);
    for (const m of members || []) if (typeof m.online === "boolean" && m.id !== this.me.id) this.online.set(m.id, m.online);
    this.rooms.set(roomId, mergeRoom(this.rooms.get(roomId), rest));
    if (roomId === this.openRoomId) {
      this.renderHeader();
      this.renderMessages();
      if (this.menu.isOpen) this.menu.render();
    }
  }

  upsertRoom(room) {
    const { members, ...rest } = room;
    const known = this.rooms.get(room.id);
    this.rooms.set(room.id, mergeRoom(known, rest));
    if (Array.isArray(members)) this.members.set(room.id, members);
    return !known;
  }

  otherMember(room) {
    const members = this.members.get(room.id);
    return members ? members.find((m) => m.id !== this.me.id) || null : null;
  }

  isOnline(userId) {
    return userId === this.me.id || this.online.get(userId) === true;
  }

  renderRooms() {
    if (!this.me) return;
    const rooms = sortRooms([...this.rooms.values()]);
    this.roomList.render(rooms, {
      me: this.me,
      openRoomId: this.openRoomId,
      otherMember: (r) => this.otherMember(r),
      isOnline: (id) => this.isOnline(id),
    });
    document.title = documentTitle(totalUnread(rooms));
  }

  async createRoom(body) {
    const room = await post("/api/rooms", body, { redirectOn401: true });
    this.upsertRoom(room);
    this.renderRooms();
    if (room.kind === "private" && !this.members.has(room.id)) this.fetchMembers(room.id).catch(() => {});
    this.navigate(room.id);
  }

  // ----- navigation

  navigate(roomId) {
    const hash = roomId === null ? "" : `#room=${roomId}`;
    if (location.hash !== hash) history.pushState(null, "", location.pathname + location.search + hash);
    this.route();
  }

  route() {
    const match = /^#room=(\d+)$/.exec(location.hash);
    const id = match ? Number(match[1]) : null;
    if (id !== null && this.rooms.has(id)) this.openRoom(id);
    else this.closeRoom();
  }

  closeRoom() {
    this.openRoomId = null;
    this.main.dataset.view = "list";
    document.getElementById("room-view").hidden = true;
    document.getElementById("no-room").hidden = false;
    this.menu.close();
    this.renderRooms();
  }

  async openRoom(id) {
    const changed = this.openRoomId !== id;
    this.openRoomId = id;
    this.main.dataset.view = "room";
    document.getElementById("no-room").hidden = true;
    document.getElementById("room-view").hidden = false;
    if (changed) {
      this.roomView.reset();
      this.composer.setRoom(id);
      this.menu.close();
      if (window.matchMedia("(min-width: 720px)").matches) this.composer.focus();
    }
    this.renderRooms();
    this.renderHeader();
    this.renderTyping();
    let list = this.lists.get(id);
    if (!list) this.lists.set(id, (list = new MessageList()));
    this.renderMessages();
    if (changed) this.fetchMembers(id).catch(() => {});
    if (!list.loaded) await this.history.latest(id);
  }

  renderHeader() {
    const room = this.rooms.get(this.openRoomId);
    if (!room) return;
    document.getElementById("room-title").textContent = room.name;
    const members = this.members.get(room.id) || [];
    let subtitle = "";
    let online;
    let key = `room${room.id}`;
    if (room.kind === "private") {
      const other = this.otherMember(room);
      if (other) {
        online = this.isOnline(other.id);
        key = other.id;
        subtitle = `@${other.username} · ${online ? "online" : "offline"}`;
      }
    } else if (members.length) {
      const on = members.filter((m) => this.isOnline(m.id)).length;
      subtitle = `${members.length} members · ${on} online`;
    }
    document.getElementById("room-subtitle").textContent = subtitle;
    const slot = document.getElementById("room-avatar");
    clear(slot);
    slot.append(avatar({ url: room.picture_url, name: room.name, key, size: "sm", online }));
  }

  renderMessages(opts = {}) {
    const id = this.openRoomId;
    if (id === null) return;
    const list = this.lists.get(id);
    const room = this.rooms.get(id);
    if (!list || !room) return;
    this.roomView.render(list, { me: this.me, room, members: this.members.get(id) || [] }, opts);
    if (list.loaded && !this.history.loadingOlder) {
      this.roomView.setHistoryStatus(
        list.confirmed.length === 0 && list.pending.length === 0
          ? (list.cleared ? "History cleared." : "No messages yet. Say hello!") :
        list.hasMore ? "" : "This is the beginning of the conversation.");
    } else if (!list.loaded) {
      this.roomView.setHistoryStatus("Loading messages…");
    }
    this.checkRead();
  }

  renderTyping() {
    if (this.openRoomId === null) return;
    this.roomView.setTyping(typingText(this.typing.users(this.openRoomId)));
  }

  scheduleTypingRefresh() {
    clearTimeout(this.typingTimer);
    const next = this.typing.nextExpiry();
    if (next === null) return;
    this.typingTimer = setTimeout(() => {
      this.renderTyping();
      this.scheduleTypingRefresh();
    }, Math.max(50, next - Date.now() + 20));
  }

  noteLastMessage(roomId, message) {
    const room = this.rooms.get(roomId);
    if (!room || !message) return;
    if (!room.last_message || message.id > room.last_message.id) {
      room.last_message = message;
      this.renderRooms();
    }
  }

  /** A stored message from the WebSocket or an HTTP reply; shown once. */
  receiveMessage(roomId, message, { live = false } = {}) {
    const room = this.rooms.get(roomId);
    if (!room) {
      this.refreshRoomsSoon();
      return;
    }
    const list = this.lists.get(roomId);
    const known = list ? list.has(message.id) : Boolean(room.last_message && room.last_message.id >= message.id);
    if (list) list.add([message]);
    const mine = message.author && message.author.id === this.me.id;
    if (message.author && this.typing.remove(roomId, message.author.id)) this.renderTyping();
    if (!room.last_message || message.id > room.last_message.id) room.last_message = message;
    if (!known && !mine) {
      room.unread = (room.unread | 0) + 1;
      if (live) announce(`${displayName(message.author)} in ${room.name}: ${previewText(message, this.me.id, "private")}`);
    }
    if (roomId === this.openRoomId) this.renderMessages({ newFromOthers: !known && !mine });
    this.renderRooms();
  }

  // ----- read positions

  /** Posts the read position when the newest message of the open room is on screen and the tab has focus. */
  checkRead() {
    const id = this.openRoomId;
    if (id === null || document.visibilityState !== "visible" || !document.hasFocus()) return;
    const list = this.lists.get(id);
    const room = this.rooms.get(id);
    const newest = list && list.newest;
    if (!room || !newest || !this.roomView.isNewestVisible()) return;
    if (room.unread) {
      room.unread = 0;
      this.renderRooms();
    }
    this.reads.mark(id, newest.id);
  }

  /** Re-renders what shows a room's name, picture and members after it changed. */
  afterRoomChange() {
    this.renderRooms();
    this.renderHeader();
    if (this.menu.isOpen) this.menu.render();
  }

  // ----- connection

  async resync() {
    if (this.resyncing) {
      this.resyncAgain = true;
      return;
    }
    this.resyncing = true;
    try {
      do {
        this.resyncAgain = false;
        await this.loadRooms();
        for (const id of [...this.lists.keys()]) {
          if (this.rooms.has(id)) await this.history.catchUp(id);
        }
        if (this.openRoomId !== null) await this.fetchMembers(this.openRoomId);
      } while (this.resyncAgain);
    } catch (error) {
      this.showRoomsError(error);
      setTimeout(() => this.resync(), 5000);
    } finally {
      this.resyncing = false;
    }
  }

  async checkSession(failures) {
    if (failures < 2) return;
    try {
      await get("/api/auth/me", { redirectOn401: true });
    } catch {
      // Offline or logged out; the redirect already happened for the latter.
    }
  }
}
