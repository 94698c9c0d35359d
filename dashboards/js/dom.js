/** Small DOM helpers: elements are built once and then only their text and classes change. */

/**
 * @param {string} tag `div.class1.class2`
 * @param {Record<string, string> | null} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const [name, ...classes] = tag.split('.');
  const el = document.createElement(name || 'div');
  if (classes.length > 0) el.className = classes.join(' ');
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, v);
  for (const c of children) if (c) el.append(c);
  return el;
}

/** Sets text only when it changed (no layout work for unchanged values). @param {Element} el @param {string} text */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Replaces the classes of one family (`status-*`) on an element.
 * @param {Element} el @param {string} prefix @param {string | null} value
 */
export function setState(el, prefix, value) {
  for (const c of [...el.classList])
    if (c.startsWith(prefix) && c !== `${prefix}${value}`) el.classList.remove(c);
  if (value !== null) el.classList.add(`${prefix}${value}`);
}
