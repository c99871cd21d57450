// Where to go after login: only a local path ("/x", never "//host" or "/\host").

/** Returns `next` if it is a same-origin path, else "/". */
export function safeNext(next, origin = "http://localhost") {
  if (typeof next !== "string" || next.length === 0 || next.length > 2000) return "/";
  if (!next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  // Control characters and backslashes are never part of our paths; browsers
  // strip tabs/newlines and treat "\" as "/", which could make "//host".
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return "/";
  try {
    const url = new URL(next, origin);
    if (url.origin !== new URL(origin).origin) return "/";
    return url.pathname + url.search + url.hash;
  } catch {
    return "/";
  }
}

/** The `next` query parameter of the current page, made safe. */
export function nextFromLocation(loc = window.location) {
  return safeNext(new URLSearchParams(loc.search).get("next"), loc.origin);
}
