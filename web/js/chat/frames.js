// WebSocket frames (API.md "Real time") applied to the chat state.
import { announce } from "../dom.js";

export function handleFrame(app, frame) {
  switch (frame.type) {
    case "hello":
      if (frame.user && frame.user.id) app.me = { ...app.me, ...frame.user };
      app.resync();
      break;
    case "resync":
      app.resync();
      break;
    case "message":
      if (frame.message) app.receiveMessage(frame.room_id ?? frame.message.room_id, frame.message, { live: true });
      break;
    case "typing":
      onTyping(app, frame);
      break;
    case "presence":
      onPresence(app, frame);
      break;
    case "read":
      onRead(app, frame);
      break;
    case "room":
      onRoom(app, frame);
      break;
    case "room_left":
      onRoomLeft(app, frame);
      break;
    case "error":
      console.warn("chat server rejected a frame:", frame.code, frame.message);
      break;
    default:
      break; // "pong" and frames this page does not know
  }
}

function onTyping(app, { room_id: roomId, user }) {
  if (!user || user.id === app.me.id || !app.rooms.has(roomId)) return;
  app.typing.add(roomId, user);
  if (roomId === app.openRoomId) app.renderTyping();
  app.scheduleTypingRefresh();
}

function onPresence(app, { user_id: userId, online }) {
  if (typeof online !== "boolean") return;
  app.online.set(userId, online);
  if (!online && app.typing.removeUser(userId).length) app.renderTyping();
  app.renderRooms();
  if (app.openRoomId !== null) app.renderHeader();
  if (app.menu.isOpen) app.menu.render();
}

function onRead(app, { room_id: roomId, user_id: userId, message_id: messageId }) {
  const room = app.rooms.get(roomId);
  if (!room || !Number.isInteger(messageId)) return;
  if (userId === app.me.id) {
    // My read position moved, maybe in another tab.
    room.last_read_id = Math.max(room.last_read_id || 0, messageId);
    app.reads.noteSent(roomId, messageId);
    if (!room.last_message || messageId >= room.last_message.id) room.unread = 0;
    else app.refreshRoomsSoon();
    app.renderRooms();
    return;
  }
  const member = (app.members.get(roomId) || []).find((m) => m.id === userId);
  if (member) member.last_read_id = Math.max(member.last_read_id || 0, messageId);
  else app.fetchMembers(roomId).catch(() => {});
  if (roomId === app.openRoomId) app.renderMessages();
}

function onRoom(app, { room }) {
  if (!room || !room.id) return;
  const isNew = app.upsertRoom(room);
  if (isNew) {
    announce(`New conversation: ${room.name}`);
    if (room.kind === "private") app.fetchMembers(room.id).catch(() => {});
  }
  if (room.id === app.openRoomId) {
    app.fetchMembers(room.id).catch(() => {});
    app.afterRoomChange();
  } else {
    app.renderRooms();
  }
}

function onRoomLeft(app, { room_id: roomId }) {
  const room = app.rooms.get(roomId);
  if (!room) return;
  app.forgetRoom(roomId);
  if (roomId === app.openRoomId) app.navigate(null);
  app.renderRooms();
  announce(`You are no longer in ${room.name}.`);
}
