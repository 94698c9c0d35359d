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
 * a tight line box in a visible-overflow box are not clipped.
 */
export async function fitProblems(page: Page, opts: { checkHeight?: boolean } = {}): Promise<FitProblem[]> {
  return page.evaluate((checkHeight) => {
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
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
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
  }, opts.checkHeight ?? true);
}
