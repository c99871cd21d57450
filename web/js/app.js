// Entry of the chat page (/). Stable hooks for browser tests:
//
//   #room-list > li.room-item[data-room-id][data-kind][data-unread]   one per room, latest activity first
//     a.room-item__link[href="#room=<id>"][aria-current]               opens the room
//     .room-item__name  .room-item__preview  time.room-item__time  .unread-badge
//     .avatar .online-dot.is-online[data-online="true"]                other person online (private rooms)
//   #new-private-button → dialog#new-private-dialog: #private-search, #private-results button.user-result[data-username]
//   #new-group-button → dialog#new-group-dialog: #group-name, #group-search, #group-results button.user-result,
//       #group-members li.chip[data-username], #create-group-button
//   #main[data-view="list"|"room"] (narrow screens show one of the two)
//   #room-view: #room-title, #room-subtitle, #back-to-rooms, #room-menu-button
//     #message-scroller > #message-list: li.day-separator, li.message-group[data-author-id](.message-group--mine)
//       li.message[data-message-id][data-client-id][data-author-id] (.message--text|.message--image)
//         .message__body, img.message__image, time.message__time, .receipts (.seen-label | .read-avatar[data-user-id])
//       li.message.is-pending[data-client-id][data-state="sending"|"failed"] with button[data-action="retry"|"discard"]
//     #history-status, #jump-to-latest, p#typing-indicator.typing-indicator
//     form#composer: textarea#message-input, #send-button, #attach-button, input#image-input
//   dialog#room-dialog: #rename-input, #room-picture-button, #member-list li.member[data-user-id][data-online],
//       #add-member-search, #add-member-results, #clear-history-button, #leave-room-button
//   dialog#confirm-dialog: #confirm-yes, #confirm-no;  dialog#image-viewer: #image-viewer-img
//   #connection-banner[data-state="connecting"|"open"|"reconnecting"|"offline"] (hidden when open)
//   #live-region (aria-live announcements of new messages);  document.title "(N) Chat"
//   window.chatApp: the running ChatApp (state for tests: rooms, lists, socket.state)
import { ChatApp } from "./chat/chat-app.js";
import { initNav } from "./nav.js";

initNav();
const app = new ChatApp();
window.chatApp = app;
app.start().catch((error) => {
  if (error && error.status === 401) return; // on the way to /login
  const slot = document.getElementById("rooms-error");
  slot.textContent = `The chat could not start: ${error && error.message ? error.message : error}`;
  slot.hidden = false;
});
