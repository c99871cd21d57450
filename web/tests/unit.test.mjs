// Unit tests of the pure web modules: node --test web/tests/ (web/package.json makes js/*.js ES modules)
import test from "node:test";
import assert from "node:assert/strict";
import { MessageList } from "../js/chat/message-list.js";
import { groupMessages } from "../js/chat/grouping.js";
import { linkSegments } from "../js/chat/links.js";
import { TypingTracker, typingText } from "../js/chat/typing.js";
import { seenMessageId, readersByMessage } from "../js/chat/receipts.js";
import { sortRooms, totalUnread, documentTitle, previewText, mergeRoom } from "../js/chat/rooms.js";
import { safeNext } from "../js/safe-next.js";
import { relativeTime } from "../js/time.js";
import { backoffDelay } from "../js/socket.js";
import { parseRetryAfter } from "../js/api.js";
import { describeUserAgent } from "../js/user-agent.js";

const me = { id: 1, username: "ada" };
const bob = { id: 2, username: "bob", display_name: "Bob" };
const msg = (id, author = bob, extra = {}) => ({ id, room_id: 5, author, kind: "text", body: `m${id}`, created_at: "2026-11-28T09:00:00.000Z", client_id: null, ...extra });

test("message list dedupes by id and keeps id order", () => {
  const list = new MessageList();
  assert.equal(list.add([msg(3), msg(1)]).length, 2);
  assert.equal(list.add([msg(3), msg(2)]).length, 1);
  assert.deepEqual(list.items().map((m) => m.id), [1, 2, 3]);
  assert.equal(list.lastId, 3);
  assert.equal(list.oldestId, 1);
});

test("a pending send is replaced once, whichever confirmation comes first", () => {
  for (const order of ["ws-first", "http-first"]) {
    const list = new MessageList();
    list.addPending({ client_id: "c1", author: me, kind: "text", body: "hi" });
    const stored = msg(7, me, { client_id: "c1", body: "hi" });
    if (order === "ws-first") {
      list.add([stored]);
      list.confirm("c1", stored);
    } else {
      list.confirm("c1", stored);
      list.add([stored]);
    }
    assert.deepEqual(list.items().map((m) => m.id), [7], order);
    assert.equal(list.pending.length, 0);
  }
});

test("someone else's message with the same client_id leaves my pending send", () => {
  const list = new MessageList();
  list.addPending({ client_id: "c1", author: me, kind: "text", body: "hi" });
  list.add([msg(8, bob, { client_id: "c1" })]);
  assert.equal(list.pending.length, 1);
});

test("clear keeps pending sends", () => {
  const list = new MessageList();
  list.add([msg(1)]);
  list.addPending({ client_id: "c", author: me });
  list.clear();
  assert.equal(list.items().length, 1);
  assert.equal(list.hasMore, false);
});

test("grouping by author, gap and day", () => {
  const at = (iso) => ({ created_at: iso });
  const items = [
    msg(1, bob, at("2026-11-28T09:00:00Z")),
    msg(2, bob, at("2026-11-28T09:01:00Z")),
    msg(3, me, at("2026-11-28T09:02:00Z")),
    msg(4, me, at("2026-11-28T09:20:00Z")),
    msg(5, me, at("2026-11-29T12:00:00Z")),
  ];
  const g = groupMessages(items);
  assert.deepEqual(g.map((x) => x.type), ["day", "group", "group", "group", "day", "group"]);
  assert.deepEqual(g[1].messages.map((m) => m.id), [1, 2]);
});

test("web addresses in a body become links; everything else stays text", () => {
  const links = (text) => linkSegments(text).filter((p) => p.href).map((p) => [p.text, p.href]);
  assert.deepEqual(linkSegments("see https://example.org/a?b=1#c, ok"), [
    { text: "see " }, { text: "https://example.org/a?b=1#c", href: "https://example.org/a?b=1#c" }, { text: ", ok" }]);
  assert.deepEqual(links("(http://example.org/x)."), [["http://example.org/x", "http://example.org/x"]]);
  assert.deepEqual(links("https://en.wikipedia.org/wiki/Bee_(disambiguation)"),
    [["https://en.wikipedia.org/wiki/Bee_(disambiguation)", "https://en.wikipedia.org/wiki/Bee_(disambiguation)"]]);
  assert.deepEqual(links("HTTPS://Example.ORG/Path!"), [["HTTPS://Example.ORG/Path", "https://example.org/Path"]]);
  assert.deepEqual(links("a https://b.example/1 and http://c.example/2?"), [
    ["https://b.example/1", "https://b.example/1"], ["http://c.example/2", "http://c.example/2"]]);
  assert.deepEqual(links('<a href="https://x.example/">x</a>'), [["https://x.example/", "https://x.example/"]]);
  for (const text of ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://files.example/", "xhttps://a.example",
    "https://", "https://...", "www.example.org", "", "no links at all"]) {
    assert.deepEqual(links(text), [], text);
  }
  for (const text of ["see https://example.org/a, ok", "https://a.example/(x", "é https://b.example/ü ✓", "https:// x", "line\nhttp://a.example\n"]) {
    assert.equal(linkSegments(text).map((p) => p.text).join(""), text, text);
  }
});

test("typing tracker expiry and texts", () => {
  const t = new TypingTracker(6000);
  t.add(5, bob, 0);
  t.add(5, { id: 3, username: "cy" }, 1000);
  assert.equal(typingText(t.users(5, 2000)), "Bob and cy are typing…");
  assert.equal(typingText(t.users(5, 6500)), "cy is typing…");
  t.add(5, { id: 4, username: "di" }, 6500);
  t.add(5, bob, 6500);
  assert.equal(typingText(t.users(5, 6600)), "Several people are typing…");
  assert.deepEqual(t.removeUser(2), [5]);
  assert.equal(t.remove(5, 3), true);
  assert.equal(t.nextExpiry(6600), 12500);
  assert.equal(typingText([]), "");
});

test("seen and readers", () => {
  const items = [msg(1, me), msg(2, bob), msg(3, me), msg(4, me)];
  assert.equal(seenMessageId(items, 1, 3), 3);
  assert.equal(seenMessageId(items, 1, 2), 1);
  assert.equal(seenMessageId(items, 1, null), null);
  const r = readersByMessage([{ id: 1, last_read_id: 4 }, { id: 2, last_read_id: 3 }, { id: 3, last_read_id: 99 }], 1, new Set([1, 2, 3, 4]));
  assert.deepEqual([...r.keys()], [3]);
});

test("rooms: order, unread, title, preview, merge", () => {
  const a = { id: 1, created_at: "2026-01-01T00:00:00Z", last_message: null, unread: 2 };
  const b = { id: 2, created_at: "2025-01-01T00:00:00Z", last_message: msg(9, bob, { created_at: "2026-02-01T00:00:00Z" }), unread: 3 };
  assert.deepEqual(sortRooms([a, b]).map((r) => r.id), [2, 1]);
  assert.equal(totalUnread([a, b]), 5);
  assert.equal(documentTitle(5), "(5) Chat");
  assert.equal(documentTitle(0), "Chat");
  assert.equal(previewText(msg(1, me), 1), "You: m1");
  assert.equal(previewText(msg(1, bob, { kind: "image" }), 1, "private"), "Photo");
  const merged = mergeRoom({ ...b, name: "old" }, { id: 2, name: "new", unread: 0, last_message: null });
  assert.equal(merged.name, "new");
  assert.equal(merged.unread, 3);
  assert.equal(merged.last_message.id, 9);
});

test("safeNext only allows local paths", () => {
  const o = "http://127.0.0.1:8080";
  assert.equal(safeNext("/profile", o), "/profile");
  assert.equal(safeNext("/?x=1#room=2", o), "/?x=1#room=2");
  for (const bad of ["//evil.com", "/\\evil.com", "https://evil.com", "evil", "", null, "/\tx", "javascript:alert(1)"]) {
    assert.equal(safeNext(bad, o), "/", String(bad));
  }
});

test("relative time", () => {
  const now = new Date(2026, 10, 28, 12, 0, 0);
  assert.equal(relativeTime(new Date(2026, 10, 28, 11, 59, 30), now), "now");
  assert.equal(relativeTime(new Date(2026, 10, 28, 11, 55), now), "5 min");
  assert.equal(relativeTime(new Date(2026, 10, 28, 9, 0), now), "3 h");
  assert.equal(relativeTime(new Date(2026, 10, 27, 23, 0), now), "Yesterday");
});

test("backoff grows, is capped and jittered", () => {
  assert.equal(backoffDelay(0, { min: 500, max: 30000, random: () => 1 }), 500);
  assert.equal(backoffDelay(3, { min: 500, max: 30000, random: () => 0 }), 2000);
  assert.equal(backoffDelay(20, { min: 500, max: 30000, random: () => 1 }), 30000);
});

test("retry-after and user agents", () => {
  assert.equal(parseRetryAfter("120"), 120);
  assert.equal(parseRetryAfter(null), null);
  assert.equal(describeUserAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36"), "Chrome on Linux");
});
