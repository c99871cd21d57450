// What the room menu does to the open room: rename it, set its picture, add a member, clear my
// history, leave. Each action asks the server first and updates the page from its answer.
import { post, patch, del, upload } from "../api.js";
import { announce } from "../dom.js";

export class RoomActions {
  /** `app` is the ChatApp: its rooms, message lists, the open room, rendering and navigation. */
  constructor(app) {
    this.app = app;
  }

  rename(name) {
    return this.update(patch(`/api/rooms/${this.app.openRoomId}`, { name }, { redirectOn401: true }));
  }

  setPicture(file) {
    return this.update(upload("PUT", `/api/rooms/${this.app.openRoomId}/picture`, file, { redirectOn401: true }));
  }

  async addMember(username) {
    const app = this.app;
    const id = app.openRoomId;
    const room = await post(`/api/rooms/${id}/members`, { username }, { redirectOn401: true });
    app.upsertRoom(room);
    await app.fetchMembers(id).catch(() => {});
    app.afterRoomChange();
  }

  /** Takes the room the server answered with. */
  async update(request) {
    this.app.upsertRoom(await request);
    this.app.afterRoomChange();
  }

  async clearHistory() {
    const app = this.app;
    const id = app.openRoomId;
    await post(`/api/rooms/${id}/clear`, undefined, { redirectOn401: true });
    const list = app.lists.get(id);
    if (list) list.clear();
    const room = app.rooms.get(id);
    if (room) {
      room.unread = 0;
      room.last_message = null;
    }
    app.roomView.reset();
    app.renderMessages();
    app.renderRooms();
    app.refreshRoomsSoon();
  }

  async leave() {
    const app = this.app;
    const id = app.openRoomId;
    await del(`/api/rooms/${id}/members/me`, { redirectOn401: true });
    const room = app.rooms.get(id);
    app.forgetRoom(id);
    app.navigate(null);
    if (room) announce(`You left ${room.name}.`);
  }
}
