import { KaitekiError } from '../core/errors.js';

/** Where headless Chromium lives (KAITEKI_CHROMIUM overrides). */
export const CHROMIUM_PATH = process.env.KAITEKI_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Prints the HTML report to PDF (A4 landscape) with headless Chromium through
 * playwright-core. playwright-core is loaded only here, so the other formats
 * work without it; a missing browser or package is a KaitekiError.
 */
export async function renderPdf(html: string, executablePath = CHROMIUM_PATH): Promise<Buffer> {
  let chromium: typeof import('playwright-core').chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    throw new KaitekiError('PDF output needs the playwright-core package', { cause: err });
  }
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
  } catch (err) {
    throw new KaitekiError(`cannot start Chromium at ${executablePath} for PDF output`, {
      cause: err,
      retryable: true,
    });
  }
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    return Buffer.from(pdf);
  } finally {
    await browser.close();
  }
}
