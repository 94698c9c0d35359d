import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Calendar } from '../../src/core/calendar.js';
import { fiscalYearRange } from '../../src/core/jst.js';
import { buildReport } from '../../src/report/aggregate.js';
import { renderHtml } from '../../src/report/html.js';
import { CHROMIUM_PATH, renderPdf } from '../../src/report/pdf.js';
import * as fx from '../fixtures/report/small-fy2026.js';

const haveChromium = existsSync(CHROMIUM_PATH);
if (!haveChromium && process.env.CI !== 'true') {
  console.warn(`skipping the PDF test: no Chromium at ${CHROMIUM_PATH} (set KAITEKI_CHROMIUM)`);
}

describe.skipIf(!haveChromium && process.env.CI !== 'true')('PDF through headless Chromium', () => {
  it('prints the HTML report to a multi-page A4 PDF', async () => {
    const config = fx.fixtureConfig();
    const report = buildReport({
      config,
      calendar: new Calendar(config.hours),
      fy: fx.FY,
      to: fiscalYearRange(fx.FY).to,
      generatedAt: fx.jst('2027-04-01T02:00'),
      rows: fx.rows,
      previousRows: fx.previousRows,
      sensors: fx.sensors,
      alerts: fx.alerts,
      defaultIntervalSeconds: 60,
    });
    const pdf = await renderPdf(renderHtml(report));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
    expect(pages).toBeGreaterThan(1);
    // A4 landscape: 842 × 595 pt
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 841\.9\d* 59[45]\.\d+\]/);
  });
});
