/** Escapes text for HTML and SVG (text and attribute values) as numeric character references. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
