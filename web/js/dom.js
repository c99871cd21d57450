// Small DOM helpers. User data only ever goes in through textContent or
// attributes set with setAttribute; never through innerHTML.

/**
 * Creates an element. `props`: class, text, attrs (object), data (object for
 * data-*), on (object of event listeners), hidden. Children: nodes or strings.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.class) node.className = props.class;
  if (props.text !== undefined && props.text !== null) node.textContent = String(props.text);
  if (props.attrs) {
    for (const [k, v] of Object.entries(props.attrs)) {
      if (v === false || v === null || v === undefined) continue;
      node.setAttribute(k, v === true ? "" : String(v));
    }
  }
  if (props.data) {
    for (const [k, v] of Object.entries(props.data)) {
      if (v !== null && v !== undefined) node.dataset[k] = String(v);
    }
  }
  if (props.on) {
    for (const [k, fn] of Object.entries(props.on)) node.addEventListener(k, fn);
  }
  if (props.hidden) node.hidden = true;
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
}

/** Initials for an avatar fallback: "Ada Lovelace" → "AL", "bob" → "B". */
export function initials(name) {
  const words = String(name || "?").trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return "?";
  const first = Array.from(words[0])[0] || "?";
  const last = words.length > 1 ? Array.from(words[words.length - 1])[0] || "" : "";
  return (first + last).toUpperCase();
}

/** A stable colour slot 0–7 for a key, so initials avatars differ between people. */
export function colorSlot(key) {
  let h = 0;
  for (const ch of String(key)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return h % 8;
}

/**
 * An avatar: the picture if there is one, else initials on a coloured disc.
 * `size`: "sm" | "md" | "lg". `online`: undefined (no dot), true or false.
 */
export function avatar({ url, name, key, size = "md", online }) {
  const wrap = el("span", { class: `avatar avatar--${size} avatar--c${colorSlot(key ?? name)}`, attrs: { "aria-hidden": "true" } });
  if (url) {
    wrap.append(el("img", { class: "avatar__img", attrs: { src: url, alt: "", loading: "lazy", decoding: "async" } }));
  } else {
    wrap.append(el("span", { class: "avatar__initials", text: initials(name) }));
  }
  if (online !== undefined) {
    wrap.append(el("span", { class: online ? "online-dot is-online" : "online-dot", data: { online: online ? "true" : "false" } }));
  }
  return wrap;
}

/** Announces text to screen readers through an aria-live region. */
export function announce(text, regionId = "live-region") {
  const region = document.getElementById(regionId);
  if (!region) return;
  // Replace the node so the same text twice is announced again.
  clear(region);
  region.append(el("p", { text }));
}

export function setBusy(button, busy) {
  if (!button) return;
  button.disabled = busy;
  button.setAttribute("aria-busy", busy ? "true" : "false");
}
