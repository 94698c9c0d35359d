import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

function writeYaml(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kaiteki-cfg-')), 'site.yaml');
  writeFileSync(file, text);
  return file;
}

function issuesOf(fn: () => unknown): { file: string; path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('runs on defaults alone: embedded broker on 1883, embedded store, HTTP 8080', () => {
    const c = parseConfig({}, 'none', {});
    expect(c.mqtt.url).toBeNull();
    expect(c.mqtt.embedded.port).toBe(1883);
    expect(c.store.kind).toBe('embedded');
    expect(c.http.port).toBe(8080);
    expect(c.limits.co2.max).toBe(1000);
    expect(c.hours.closedDays).toContain('12-29');
  });

  it('the shipped config files are valid', () => {
    expect(loadConfig({}, 'config/default.yaml').site.id).toBe('default');
    const t = loadConfig({}, 'config/takatsu.yaml');
    expect(t.site.name.ja).toBe('高津区役所');
    expect(t.zones.map((z) => z.id)).toContain('kumin-counter');
  });

  it('environment variables override file keys', () => {
    const c = parseConfig({ mqtt: { url: 'mqtt://file:1883' } }, 'f.yaml', {
      KAITEKI_MQTT_URL: 'mqtt://env:1883',
      PORT: '9090',
      KAITEKI_MQTT_SITES: 'takatsu, nakahara',
    });
    expect(c.mqtt.url).toBe('mqtt://env:1883');
    expect(c.http.port).toBe(9090);
    expect(c.mqtt.sites).toEqual(['takatsu', 'nakahara']);
  });

  it('KAITEKI_INFLUX_URL alone selects the InfluxDB 1.x store', () => {
    const c = parseConfig({}, 'f.yaml', { KAITEKI_INFLUX_URL: 'http://127.0.0.1:8086' });
    expect(c.store.kind).toBe('influx-v1');
    // also over the shipped default file, which spells out `kind: embedded`
    expect(
      loadConfig({ KAITEKI_INFLUX_URL: 'http://127.0.0.1:8086' }, 'config/default.yaml').store.kind,
    ).toBe('influx-v1');
    const v2 = parseConfig({ store: { kind: 'influx-v2' } }, 'f.yaml', {
      KAITEKI_INFLUX_URL: 'http://127.0.0.1:8086',
    });
    expect(v2.store.kind).toBe('influx-v2');
  });

  it('secrets come from the environment and are refused in files', () => {
    const c = parseConfig({}, 'f.yaml', { KAITEKI_ADMIN_TOKEN: 's3cret' });
    expect(c.secrets.adminToken).toBe('s3cret');
    const issues = issuesOf(() => parseConfig({ mqtt: { password: 'x' } }, 'site.yaml', {}));
    expect(issues).toEqual([
      expect.objectContaining({
        file: 'site.yaml',
        path: 'mqtt.password',
        message: expect.stringContaining('KAITEKI_MQTT_PASSWORD'),
      }),
    ]);
  });

  it('reports every problem at once with file, key, what was expected and what was found', () => {
    const file = writeYaml(
      [
        'http:',
        '  port: eighty',
        'site:',
        '  id: Takatsu Ward',
        'zones:',
        '  - id: lobby',
        '    name: { ja: ロビー }',
        'mqtt:',
        '  qos: 2',
        '  urll: mqtt://x',
      ].join('\n'),
    );
    const issues = issuesOf(() => loadConfig({}, file));
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(issues.every((i) => i.file === file)).toBe(true);
    expect(byPath['http.port']?.message).toMatch(/expected number, got "eighty"/);
    expect(byPath['site.id']?.message).toMatch(/slug.*got "Takatsu Ward"/);
    expect(byPath['zones[lobby].name.en']?.message).toMatch(/expected string, got nothing/); // named by id, not index
    expect(byPath['mqtt.qos']?.message).toMatch(/got 2/);
    expect(byPath.mqtt?.message).toMatch(/unknown key\(s\) "urll"/);
    expect(issues).toHaveLength(5);
  });

  it('an environment override with a bad value names the variable', () => {
    const issues = issuesOf(() => parseConfig({}, 'f.yaml', { PORT: 'http' }));
    expect(issues[0]).toMatchObject({ file: 'env PORT', path: 'http.port' });
  });

  it('YAML syntax errors name the file and line', () => {
    const file = writeYaml('site:\n  id: [unclosed\n');
    const issues = issuesOf(() => loadConfig({}, file));
    expect(issues[0]?.file).toBe(file);
    expect(issues[0]?.message).toMatch(/YAML syntax/);
    expect(issues[0]?.path).toMatch(/^line \d+/);
  });

  it('a missing file named by KAITEKI_CONFIG is an error, a missing default file is not', () => {
    expect(issuesOf(() => loadConfig({ KAITEKI_CONFIG: '/nonexistent/k.yaml' }))[0]?.message).toMatch(
      /cannot read/,
    );
    expect(() => loadConfig({}, 'config/default.yaml')).not.toThrow();
  });
});
