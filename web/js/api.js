// Fetch wrapper for the JSON API (API.md). Same-origin only: the browser adds
// the Origin header on unsafe methods, which the server requires.
// Every failure is thrown as an ApiError {status, code, message, fields, retryAfter}.

export class ApiError extends Error {
  constructor({ status = 0, code = "network_error", message = "", fields = null, retryAfter = null }) {
    super(message || defaultMessage(status));
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter; // seconds, from Retry-After on 429
  }
}

function defaultMessage(status) {
  if (status === 0) return "Cannot reach the server. Check your connection and try again.";
  if (status === 401) return "Please log in again.";
  if (status === 403) return "You are not allowed to do that.";
  if (status === 404) return "Not found.";
  if (status === 413) return "That file is too large.";
  if (status === 415) return "That file type is not supported.";
  if (status === 429) return "Too many requests. Please wait a moment and try again.";
  if (status >= 500) return "The server had a problem. Please try again.";
  return "The request failed.";
}

/** Parses a Retry-After header (seconds or an HTTP date) into whole seconds, or null. */
export function parseRetryAfter(value, now = Date.now()) {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * Calls the API. `json` sends a JSON body; `body` + `type` send raw bytes (uploads).
 * Resolves to the parsed JSON (or null for 204/empty). Rejects with ApiError.
 * `keepalive`: the request outlives the page (sent while it unloads).
 */
export async function api(method, path, { json, body, type, signal, keepalive = false, redirectOn401 = false } = {}) {
  const headers = { Accept: "application/json" };
  let payload;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(json);
  } else if (body !== undefined) {
    headers["Content-Type"] = type || "application/octet-stream";
    payload = body;
  } else if (method !== "GET" && method !== "HEAD") {
    // The server asks every unsafe API request for this type, even without a body:
    // a cross-site form cannot send it without a CORS preflight.
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: payload,
      credentials: "same-origin",
      mode: "same-origin",
      cache: "no-store",
      signal,
      keepalive,
    });
  } catch (err) {
    if (err && err.name === "AbortError") throw err;
    throw new ApiError({ status: 0 });
  }
  const text = await response.text().catch(() => "");
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (response.ok) return data;
  const e = (data && typeof data === "object" && data.error) || {};
  const error = new ApiError({
    status: response.status,
    code: typeof e.code === "string" ? e.code : `http_${response.status}`,
    message: typeof e.message === "string" ? e.message : "",
    fields: e.fields && typeof e.fields === "object" ? e.fields : null,
    retryAfter: parseRetryAfter(response.headers.get("Retry-After")),
  });
  if (response.status === 401 && redirectOn401) goToLogin();
  throw error;
}

/** Sends the browser to the login page, coming back here afterwards. */
export function goToLogin() {
  const here = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(here)}`);
}

export const get = (path, opts) => api("GET", path, opts);
export const post = (path, json, opts = {}) => api("POST", path, { ...opts, json });
export const patch = (path, json, opts = {}) => api("PATCH", path, { ...opts, json });
export const del = (path, opts) => api("DELETE", path, opts);
export const upload = (method, path, file, opts = {}) =>
  api(method, path, { ...opts, body: file, type: file.type || "application/octet-stream" });
