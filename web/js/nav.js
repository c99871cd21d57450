// The shared header: marks the current page and wires the logout button.
import { post } from "./api.js";

export function initNav() {
  const here = location.pathname.replace(/\.html$/, "").replace(/\/index$/, "/") || "/";
  for (const link of document.querySelectorAll(".site-nav a[href]")) {
    const target = new URL(link.href).pathname;
    if (target === here) link.setAttribute("aria-current", "page");
  }
  for (const button of document.querySelectorAll("[data-action='logout']")) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await post("/api/auth/logout");
      } catch {
        // Logged out already, or the server is unreachable: the login page decides.
      }
      location.assign("/login");
    });
  }
}
