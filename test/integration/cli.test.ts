import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectClient } from '../helpers/app.js';
import { freePort, waitFor } from '../helpers/binaries.js';
import { runCli, type ServiceProcess, startService } from '../helpers/service-process.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kaiteki-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('kaiteki command line', () => {
  it('`start` on embedded defaults takes a reading from a plain MQTT client and counts a malformed one', async () => {
    const mqttPort = await freePort();
    let svc: ServiceProcess | undefined;
    try {
      svc = await startService({ KAITEKI_MQTT_PORT: String(mqttPort), KAITEKI_DATA_DIR: tempDir() });
      const c = await connectClient(`mqtt://127.0.0.1:${mqttPort}`);
      c.publish('kaiteki/anysite/anyzone/anysensor', '{"co2":1234,"temperature":22.5}', { qos: 1 });
      c.publish('kaiteki/anysite/anyzone/anysensor', '{"co2":', { qos: 1 });
      const url = svc.url;
      await waitFor(
        async () => ((await (await fetch(`${url}/api/latest`)).json()) as unknown[]).length === 2,
        2000,
        'latest',
      );
      await waitFor(
        async () =>
          (await (await fetch(`${url}/metrics`)).text()).includes(
            'kaiteki_ingest_rejected_total{reason="invalid_json"} 1',
          ),
        2000,
        'rejection in /metrics',
      );
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      c.end(true);
    } finally {
      await svc?.stop();
    }
  });

  it('a bad config prints every problem with file and key and exits 2', async () => {
    const file = join(tempDir(), 'bad.yaml');
    writeFileSync(file, 'http:\n  port: eighty\nmqtt:\n  qos: 3\n');
    const res = await runCli(['check-config'], { KAITEKI_CONFIG: file });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${file}: http.port: expected number, got "eighty"`);
    expect(res.stderr).toContain(`${file}: mqtt.qos:`);
  });

  it('check-config accepts the sample site', async () => {
    const res = await runCli(['check-config'], { KAITEKI_CONFIG: 'config/takatsu.yaml' });
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/config\/takatsu\.yaml: OK — site takatsu, 6 zone\(s\), \d+ sensor\(s\)/);
    expect(res.code).toBe(0);
  });

  it('--help lists the commands', async () => {
    const res = await runCli(['--help']);
    expect(res.stdout).toMatch(/start[\s\S]*demo[\s\S]*check-config/);
  });
});
