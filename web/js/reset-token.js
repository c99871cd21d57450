// Reads `#token=…` from the address and removes it from the address bar and
// history at once, before anything else on the page runs.
const params = new URLSearchParams(location.hash.slice(1));
export const resetToken = params.get("token") || "";
if (location.hash) history.replaceState(null, "", location.pathname + location.search);
