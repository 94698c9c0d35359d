import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { checkConfig } from '../../src/config/check.js';
import { parseConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'kaiteki-check-'));
let n = 0;
function write(text: string): string {
  const file = join(dir, `f${n++}.yaml`);
  writeFileSync(file, text);
  return file;
}
/** A site config with the given YAML appended; the rules file is the shipped one unless given. */
function site(extra: string, rules = 'config/rules.yaml'): string {
  return write(`inventory: { files: [] }\nalerts: { rulesFile: ${rules} }\n${extra}\n`);
}
const problems = (file: string) =>
  checkConfig({}, file).issues.map((i) => `${i.file}: ${i.path}: ${i.message}`);

describe('kaiteki check-config', () => {
  it('accepts the shipped configs with their rules', () => {
    for (const f of ['config/default.yaml', 'config/takatsu.yaml']) {
      const r = checkConfig({}, f);
      expect(r.issues).toEqual([]);
      expect(r.rules).toBeGreaterThan(10);
    }
  });

  it('rejects temperature min 28 / max 18', () => {
    const f = site('limits: { temperature: { min: 28, max: 18 } }');
    expect(problems(f)).toEqual([`${f}: limits.temperature: expected min < max, got min 28, max 18`]);
  });

  it('rejects opening 18:30 with closing 17:00', () => {
    const f = site('hours: { open: "18:30", close: "17:00" }');
    expect(problems(f)).toEqual([`${f}: hours: expected open before close, got open "18:30", close "17:00"`]);
  });

  it('rejects a yellow band above red', () => {
    const f = site('limits: { wait: { yellowFrom: 45, redFrom: 40 } }');
    expect(problems(f)).toEqual([
      `${f}: limits.wait: expected yellowFrom < redFrom, got yellowFrom 45, redFrom 40`,
    ]);
  });

  it('rejects a misspelt rule key, naming the rule by its id', () => {
    const rules = write(
      'rules:\n  - id: comfort.co2\n    category: comfort\n    quantity: co2\n    abve: 1000\n',
    );
    const f = site('', rules);
    const p = problems(f);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(new RegExp(`^${rules}: rules\\[comfort\\.co2\\]: unknown key\\(s\\) "abve"`));
  });

  it('rejects a missing rules file', () => {
    const f = site('', 'config/no-such-rules.yaml');
    const p = problems(f);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/no-such-rules\.yaml: \(?.*cannot read the file/);
  });

  it('reports every problem at once, across files, and unknown references', () => {
    const rules = write(
      [
        'rules:',
        '  - { id: a, category: comfort, quantity: co2, above: limits.co2.maximum }',
        '  - { id: b, category: comfort, quantity: radon, above: 1 }',
        '  - { id: c, category: comfort, quantity: co2, above: 1, zones: [attic] }',
      ].join('\n'),
    );
    const f = site(
      'zones: [{ id: lobby, name: { ja: ロビー, en: Lobby }, iluminanceTarget: 500 }]\nlimits: { humidity: { min: 70, max: 40 } }',
      rules,
    );
    const p = problems(f);
    // config errors first (the zone's misspelt key, named by the zone's id); the rules are not checked against a broken config
    expect(p).toEqual([
      `${f}: zones[lobby]: unknown key(s) "iluminanceTarget" (misspelt? see config/default.yaml)`,
    ]);
    const g = site('zones: [{ id: lobby, name: { ja: ロビー, en: Lobby } }]', rules);
    const q = problems(g);
    expect(q).toHaveLength(3);
    const has = (text: string) =>
      expect(
        q.some((x) => x.includes(text)),
        text,
      ).toBe(true);
    has(`${rules}: rules[a].above: "limits.co2.maximum" is not a number in config limits`);
    has(`${rules}: rules[b].quantity: `);
    has('got "radon"');
    has(`${rules}: rules[c].zones[0]: expected one of the configured zones (lobby), got "attic"`);
  });

  it("problems of meaning in the config do not hide the rules file's problems", () => {
    const rules = write('rules:\n  - { id: comfort.co2, category: comfort, quantity: co2, abve: 1000 }\n');
    const f = site('hours: { open: "18:30", close: "17:00" }', rules);
    const p = problems(f);
    expect(p).toHaveLength(2);
    expect(p[0]).toBe(`${f}: hours: expected open before close, got open "18:30", close "17:00"`);
    expect(p[1]).toContain(`${rules}: rules[comfort.co2]: unknown key(s) "abve"`);
  });

  it('a misspelt key is an error in every section', () => {
    const sections = [
      'site: { id: x, nmae: y }',
      'http: { prot: 1 }',
      'log: { levle: info }',
      'inventory: { filez: [] }',
      'mqtt: { tls: { rejectUnauthorised: false } }',
      'hours: { opne: "08:00" }',
      'limits: { co2: { mx: 1 } }',
      'store: { kindd: embedded }',
      'alerts: { tickSecond: 5 }',
      'report: { dri: x }',
      'ingest: { unregisterd: accept }',
    ];
    for (const s of sections) {
      const doc = parseDocument(s).toJS();
      const r = configSchema.safeParse(doc);
      expect(r.success, s).toBe(false);
      expect(JSON.stringify(r.error?.issues), s).toContain('unrecognized_keys');
    }
  });
});

describe('config/default.yaml', () => {
  it("equals the schema's defaults, key for key (the two cannot drift)", () => {
    const file = parseDocument(readFileSync('config/default.yaml', 'utf8')).toJS();
    const fromFile = parseConfig(file, 'config/default.yaml', {});
    const defaults = parseConfig({}, 'none', {});
    const strip = (c: Record<string, unknown>) => ({ ...c, source: undefined, secrets: undefined });
    expect(strip(fromFile)).toEqual(strip(defaults));
    // and the file spells every default out (nothing left implicit), top-level sections at least
    expect(Object.keys(file).sort()).toEqual(Object.keys(configSchema.parse({})).sort());
  });
});
