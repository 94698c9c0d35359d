import type { Page } from 'playwright-core';

/** The viewports every page is checked at: a phone, a portrait and a landscape TV, a 4K TV. */
export const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'portrait', width: 1080, height: 1920 },
  { name: 'hd', width: 1920, height: 1080 },
  { name: '4k', width: 3840, height: 2160 },
] as const;

export interface FitProblem {
  what: 'overflow-x' | 'clipped' | 'outside';
  el: string;
  text: string;
  detail: string;
}

/**
 * Layout problems a person would see: the page scrolls sideways, or an
 * element's text does not fit its box (scroll size larger than client size)
 * or sticks out of the viewport. Inline elements have no client box, so text
 * is checked on its nearest non-inline container. Height counts where the
 * box hides its overflow (a line clamp, a fixed panel); glyphs taller than
 * a tight line box in a visible-overflow box are not clipped. `within` (a
 * selector) checks only the text inside that element, the page's sideways
 * overflow still counted.
 */
export async function fitProblems(
  page: Page,
  opts: { checkHeight?: boolean; within?: string } = {},
): Promise<FitProblem[]> {
  const args = { checkHeight: opts.checkHeight ?? true, within: opts.within ?? null };
  return page.evaluate(({ checkHeight, within }) => {
    const out: { what: 'overflow-x' | 'clipped' | 'outside'; el: string; text: string; detail: string }[] =
      [];
    const doc = document.scrollingElement ?? document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1)
      out.push({
        what: 'overflow-x',
        el: 'document',
        text: '',
        detail: `${doc.scrollWidth} > ${doc.clientWidth}`,
      });
    const describe = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${Array.from(e.classList)
        .map((c) => `.${c}`)
        .join('')}`;
    const vw = document.documentElement.clientWidth;
    const seen = new Set<Element>();
    const root = within ? document.querySelector(within) : document.body;
    if (!root) out.push({ what: 'outside', el: within ?? 'body', text: '', detail: 'not found' });
    const walker = document.createTreeWalker(root ?? document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent?.trim()) continue;
      let box = n.parentElement;
      while (box && ['inline', 'contents'].includes(getComputedStyle(box).display)) box = box.parentElement;
      if (!box || seen.has(box)) continue;
      seen.add(box);
      const cs = getComputedStyle(box);
      if (cs.display === 'none' || cs.visibility === 'hidden' || box.closest('[hidden]')) continue;
      const r = box.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const text = (box.textContent ?? '').trim().slice(0, 60);
      if (box.scrollWidth > box.clientWidth + 1)
        out.push({
          what: 'clipped',
          el: describe(box),
          text,
          detail: `width ${box.scrollWidth} > ${box.clientWidth}`,
        });
      else if (checkHeight && cs.overflowY !== 'visible' && box.scrollHeight > box.clientHeight + 1)
        out.push({
          what: 'clipped',
          el: describe(box),
          text,
          detail: `height ${box.scrollHeight} > ${box.clientHeight}`,
        });
      // Cut off by a container that hides its overflow (a card drawn below its panel's edge).
      for (let a = box.parentElement; a && a !== document.body; a = a.parentElement) {
        const acs = getComputedStyle(a);
        if (acs.overflowX === 'visible' && acs.overflowY === 'visible') continue;
        const ar = a.getBoundingClientRect();
        if (r.bottom > ar.bottom + 1 || r.right > ar.right + 1 || r.top < ar.top - 1) {
          out.push({ what: 'clipped', el: describe(box), text, detail: `cut off by ${describe(a)}` });
          break;
        }
      }
      if (r.right > vw + 1 || r.left < -1)
        out.push({ what: 'outside', el: describe(box), text, detail: `${r.left}..${r.right} of ${vw}` });
    }
    return out;
  }, args);
}

export interface ContrastProblem {
  el: string;
  text: string;
  ratio: number;
  needed: number;
}

/**
 * WCAG 2.x AA contrast of every visible text against its effective
 * background (the nearest ancestor with an opaque background colour; images
 * and gradients are not looked into): 4.5:1, or 3:1 for large text (24 px,
 * or 18.66 px bold). Opacity on an ancestor is folded in.
 */
export async function contrastProblems(page: Page): Promise<ContrastProblem[]> {
  return page.evaluate(() => {
    const parse = (c: string): [number, number, number, number] => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return [0, 0, 0, 0];
      const p = m[1]!
        .split(/[ ,/]+/)
        .filter(Boolean)
        .map(Number);
      return [p[0]!, p[1]!, p[2]!, p[3] ?? 1];
    };
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
    };
    const blend = (fg: number[], bg: number[], a: number) =>
      fg.slice(0, 3).map((v, i) => v * a + bg[i]! * (1 - a));
    const out: { el: string; text: string; ratio: number; needed: number }[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set<Element>();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !n.textContent?.trim()) continue;
      seen.add(el);
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || el.closest('[hidden]') || el.getClientRects().length === 0) continue;
      let bg: number[] = [255, 255, 255];
      let opacity = 1;
      for (let a: Element | null = el; a; a = a.parentElement) {
        const s = getComputedStyle(a);
        opacity *= Number(s.opacity);
        const c = parse(s.backgroundColor);
        if (c[3] >= 0.99) {
          bg = c.slice(0, 3);
          break;
        }
      }
      const [r, g, b, alpha] = parse(cs.color);
      const fg = blend([r, g, b], bg, alpha * opacity);
      const l1 = lum(fg);
      const l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      const size = Number.parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      if (ratio < needed)
        out.push({
          el: `${el.tagName.toLowerCase()}${Array.from(el.classList)
            .map((c) => `.${c}`)
            .join('')}`,
          text: (el.textContent ?? '').trim().slice(0, 40),
          ratio: Math.round(ratio * 100) / 100,
          needed,
        });
    }
    return out;
  });
}
