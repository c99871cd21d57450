// Web addresses in a message body become links. The result is plain data: the
// view turns { text } into a text node and { text, href } into an <a> whose text
// is set with textContent, so nothing in a body is ever parsed as HTML.

// An address starts with http:// or https:// and runs to white space or a
// character that cannot stand unescaped in one.
const ADDRESS = /\bhttps?:\/\/[^\s<>"'`]+/giu;

// Punctuation that ends a sentence rather than the address: "see https://x.org."
const TRAILING = /[.,;:!?*_~]+$/u;

/** Splits `text` into [{text}] and [{text, href}] parts, in order, that join back to `text`. */
export function linkSegments(text) {
  const source = String(text ?? "");
  const out = [];
  let from = 0;
  for (const match of source.matchAll(ADDRESS)) {
    const address = trimAddress(match[0]);
    const href = httpHref(address);
    if (!href) continue;
    if (match.index > from) out.push({ text: source.slice(from, match.index) });
    out.push({ text: address, href });
    from = match.index + address.length;
  }
  if (from < source.length) out.push({ text: source.slice(from) });
  return out;
}

/** Drops sentence punctuation and unbalanced closing brackets from the end of an address. */
function trimAddress(candidate) {
  let address = candidate;
  for (;;) {
    const before = address;
    address = address.replace(TRAILING, "");
    for (const [open, close] of [["(", ")"], ["[", "]"], ["{", "}"]]) {
      if (address.endsWith(close) && count(address, close) > count(address, open)) address = address.slice(0, -1);
    }
    if (address === before) return address;
  }
}

function count(text, ch) {
  return text.split(ch).length - 1;
}

/** The normalised address if it is an http(s) URL with a host, else null. */
function httpHref(address) {
  try {
    const url = new URL(address);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}
