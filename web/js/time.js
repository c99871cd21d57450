// Time formatting. Pure functions (given `now`), so they can be tested.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function toDate(value) {
  if (value instanceof Date) return value;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function startOfDay(d) {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Short local time of day: "09:15" (locale style). */
export function formatTime(value, locale) {
  const d = toDate(value);
  if (!d) return "";
  return d.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
}

/** Full local date and time, for titles and tooltips. */
export function formatDateTime(value, locale) {
  const d = toDate(value);
  if (!d) return "";
  return d.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

/**
 * Compact relative time for lists: "now", "5 min", "3 h", "Yesterday",
 * a weekday within a week, else a date.
 */
export function relativeTime(value, now = new Date(), locale) {
  const d = toDate(value);
  if (!d) return "";
  const diff = now.getTime() - d.getTime();
  if (diff < MINUTE) return "now";
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)} min`;
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (days <= 0) return `${Math.floor(diff / HOUR)} h`;
  if (days === 1) return "Yesterday";
  if (days < 7) return d.toLocaleDateString(locale, { weekday: "short" });
  if (d.getFullYear() === now.getFullYear()) return d.toLocaleDateString(locale, { day: "numeric", month: "short" });
  return d.toLocaleDateString(locale, { day: "numeric", month: "short", year: "numeric" });
}

/** Heading for a day of messages: "Today", "Yesterday", or a date. */
export function dayLabel(value, now = new Date(), locale) {
  const d = toDate(value);
  if (!d) return "";
  const days = Math.round((startOfDay(now) - startOfDay(d)) / DAY);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  const opts = { weekday: "long", day: "numeric", month: "long" };
  if (d.getFullYear() !== now.getFullYear()) opts.year = "numeric";
  return d.toLocaleDateString(locale, opts);
}

/** A key that is equal for two times on the same local day. */
export function dayKey(value) {
  const d = toDate(value);
  return d ? `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}` : "";
}
