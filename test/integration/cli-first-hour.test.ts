import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve('.');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dir = mkdtempSync(join(tmpdir(), 'kaiteki-first-hour-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kaiteki(args: string[], env: Record<string, string> = {}) {
  const clean = { ...process.env };
  delete clean.KAITEKI_CONFIG;
  delete clean.KAITEKI_DATA_DIR;
  const r = spawnSync(process.execPath, ['--import', TSX, join(REPO, 'src/main.ts'), ...args], {
    cwd: dir,
    env: { ...clean, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("the operator's first hour: the CLI and the demo agree on the site", () => {
  symlinkSync(join(REPO, 'config'), join(dir, 'config'));
  symlinkSync(join(REPO, 'sensors'), join(dir, 'sensors'));

  it('before any demo: the default config', () => {
    const r = kaiteki(['check-config']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^config\/default\.yaml: OK — site default/);
  });

  it("after `npm run demo` (./data/demo exists): the demo's site, and it says so", () => {
    mkdirSync(join(dir, 'data/demo'), { recursive: true });
    const r = kaiteki(['check-config']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^config\/takatsu\.yaml: OK — site takatsu/);
    expect(r.stderr).toContain("using the demo's site (config/takatsu.yaml, data in ./data/demo)");
    // KAITEKI_CONFIG always wins
    expect(kaiteki(['check-config'], { KAITEKI_CONFIG: 'config/default.yaml' }).stdout).toMatch(
      /site default/,
    );
  });

  it('once a service of the default config has data of its own, the default config again', () => {
    writeFileSync(join(dir, 'data/kaiteki.db'), '');
    const r = kaiteki(['check-config']);
    expect(r.stdout).toMatch(/^config\/default\.yaml: OK/);
    expect(r.stderr).not.toContain('demo');
  });
});
