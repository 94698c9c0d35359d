import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/core/errors.js';

describe('security configuration', () => {
  it('defaults: broker on loopback, anonymous only there, no TLS, HTTP limits on', () => {
    const c = parseConfig({}, 'none', {});
    expect(c.mqtt.embedded).toMatchObject({
      host: '127.0.0.1',
      port: 1883,
      allowAnonymous: false,
      passwordFile: null,
      tls: { port: null },
    });
    expect(c.http.trustProxy).toBe(false);
    expect(c.http.rateLimit.reports).toBeGreaterThan(0);
  });

  it('environment overrides the broker host, port, password file and TLS files', () => {
    const c = parseConfig({}, 'none', {
      KAITEKI_BROKER_HOST: '0.0.0.0',
      KAITEKI_BROKER_PORT: '11883',
      KAITEKI_BROKER_PASSWORD_FILE: '/etc/kaiteki/passwd',
      KAITEKI_BROKER_TLS_PORT: '8883',
      KAITEKI_BROKER_TLS_CERT: '/etc/kaiteki/mqtt.crt',
      KAITEKI_BROKER_TLS_KEY: '/etc/kaiteki/mqtt.key',
      KAITEKI_BROKER_USERS: 'lobby-env:pw1,kumin-ticket:pw2',
    });
    expect(c.mqtt.embedded).toMatchObject({
      host: '0.0.0.0',
      port: 11883,
      passwordFile: '/etc/kaiteki/passwd',
      tls: { port: 8883, cert: '/etc/kaiteki/mqtt.crt', key: '/etc/kaiteki/mqtt.key' },
    });
    expect(c.secrets.brokerUsers).toBe('lobby-env:pw1,kumin-ticket:pw2');
  });

  it('refuses broker users written into the config file (secrets come from the environment)', () => {
    let err: unknown;
    try {
      parseConfig({ mqtt: { embedded: { users: 'a:b' } } }, 'site.yaml', {});
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toContain('KAITEKI_BROKER_USERS');
  });

  it('refuses an unknown key under mqtt.embedded (a misspelt allowAnonymous is not silently ignored)', () => {
    expect(() => parseConfig({ mqtt: { embedded: { allowAnonymus: true } } }, 'site.yaml', {})).toThrow(
      /allowAnonymus/,
    );
  });
});
