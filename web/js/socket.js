// One WebSocket to /ws that reconnects with backoff and jitter, pings when
// idle, and reports its state: "connecting" | "open" | "reconnecting" | "offline" | "stopped".

/** Delay before reconnect attempt `attempt` (0-based): doubling, capped, half of it random. */
export function backoffDelay(attempt, { min = 500, max = 30_000, random = Math.random } = {}) {
  const base = Math.min(max, min * 2 ** Math.min(attempt, 16));
  return Math.round(base / 2 + (random() * base) / 2);
}

export class ChatSocket {
  /**
   * onFrame(frame): every parsed JSON frame. onState(state, info): state changes.
   * onFailure(attempts): called after attempts that never opened (e.g. to check the session).
   */
  constructor({ url, onFrame, onState = () => {}, onFailure = () => {}, idleMs = 25_000, pongTimeoutMs = 10_000 }) {
    this.url = url || `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    this.onFrame = onFrame;
    this.onState = onState;
    this.onFailure = onFailure;
    this.idleMs = idleMs;
    this.pongTimeoutMs = pongTimeoutMs;
    this.ws = null;
    this.state = "stopped";
    this.attempt = 0;
    this.failedOpens = 0;
    this.retryTimer = null;
    this.idleTimer = null;
    this.lastSent = 0;
    this.lastReceived = 0;
    this.pingSentAt = 0;
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => this.setState("offline");
    this.onVisible = () => {
      if (document.visibilityState === "visible" && this.state !== "open") this.reconnectNow();
    };
  }

  start() {
    if (this.state !== "stopped") return;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    document.addEventListener("visibilitychange", this.onVisible);
    this.idleTimer = setInterval(() => this.checkIdle(), 5000);
    this.connect("connecting");
  }

  stop() {
    this.setState("stopped");
    clearTimeout(this.retryTimer);
    clearInterval(this.idleTimer);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    document.removeEventListener("visibilitychange", this.onVisible);
    if (this.ws) this.ws.close(1000);
    this.ws = null;
  }

  setState(state, info = {}) {
    if (this.state === state && !info.force) return;
    this.state = state;
    this.onState(state, info);
  }

  connect(state) {
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setState(navigator.onLine === false ? "offline" : state);
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      opened = true;
      this.failedOpens = 0;
      this.lastReceived = Date.now();
      this.lastSent = Date.now();
      this.pingSentAt = 0;
      this.setState("open");
    });
    ws.addEventListener("message", (event) => {
      if (this.ws !== ws) return;
      this.lastReceived = Date.now();
      this.pingSentAt = 0;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!frame || typeof frame.type !== "string") return;
      if (frame.type === "hello") this.attempt = 0;
      this.onFrame(frame);
    });
    ws.addEventListener("close", () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.state === "stopped") return;
      if (!opened) {
        this.failedOpens += 1;
        this.onFailure(this.failedOpens);
      }
      this.scheduleReconnect();
    });
    // An "error" event is always followed by "close"; nothing to do here.
  }

  scheduleReconnect() {
    if (this.state === "stopped") return;
    const delay = backoffDelay(this.attempt++);
    this.setState(navigator.onLine === false ? "offline" : "reconnecting", { delay, force: true });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect("reconnecting"), delay);
  }

  /** Reconnects at once (network back, tab visible again, user asked). */
  reconnectNow() {
    if (this.state === "stopped" || this.state === "open" || (this.ws && this.ws.readyState === WebSocket.CONNECTING)) return;
    this.connect("reconnecting");
  }

  /** Sends a frame if the socket is open; returns whether it was sent. */
  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    this.lastSent = Date.now();
    return true;
  }

  checkIdle() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    if (this.pingSentAt && now - this.pingSentAt > this.pongTimeoutMs && this.lastReceived < this.pingSentAt) {
      // No answer: the connection is dead even if the browser has not noticed.
      const dead = this.ws;
      this.ws = null; // its late close event is ignored
      try {
        dead.close(4000, "ping timeout");
      } catch {
        // already closing
      }
      this.scheduleReconnect();
      return;
    }
    if (!this.pingSentAt && now - Math.max(this.lastSent, this.lastReceived) >= this.idleMs) {
      if (this.send({ type: "ping" })) this.pingSentAt = now;
    }
  }
}
