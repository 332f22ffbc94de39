import { en, type Messages } from "./en";

// One language today; a translation adds its file and is picked here (e.g. by navigator.language).
export const t: Messages = en;

/** `format("Signed in as {name}", {name: "alice"})`. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}

/** The message for an API error code, else the server's own message. */
export function errorText(code: string, fallback?: string): string {
  return t.errors[code] ?? fallback ?? t.errors.UNKNOWN;
}

/** A timestamp in the reader's locale, or "never". */
export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : t.common.never;
}
