import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { CHROMIUM_PATH, renderPdf } from '../../src/report/pdf.js';
import * as fx from '../fixtures/report/small-fy2026.js';

const haveChromium = existsSync(CHROMIUM_PATH);
if (!haveChromium && process.env.CI !== 'true') {
  console.warn(`skipping the PDF test: no Chromium at ${CHROMIUM_PATH} (set KAITEKI_CHROMIUM)`);
}

describe.skipIf(!haveChromium && process.env.CI !== 'true')('PDF through headless Chromium', () => {
  it('prints the HTML report to a multi-page A4 PDF', async () => {
    const report = fx.fixtureReport();
    const pdf = await renderPdf(renderHtml(report));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    expect(pages).toBeGreaterThan(1);
    // A4 landscape: 842 × 595 pt
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 841\.9\d* 59[45]\.\d+\]/);
  });
});
