import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { Reading } from '../../src/core/reading.js';
import { describeImport, type ImportTarget, importReadings } from '../../src/import/importer.js';
import { importTimestamp, mapHeader, quantityOf } from '../../src/import/rows.js';
import { decodeText, ImportFileError, parseCsv } from '../../src/import/table.js';
import { Inventory } from '../../src/inventory/inventory.js';
import { inventoryFileSchema } from '../../src/inventory/schema.js';

const config = parseConfig(
  {
    site: { id: 'testsite', name: { ja: 'テスト', en: 'Test' } },
    zones: [{ id: 'lobby', name: { ja: 'ロビー', en: 'Lobby' }, kind: 'lobby' }],
    inventory: { files: [] },
  },
  'test',
  {},
);
const NOW = Date.parse('2026-05-01T00:00:00Z');

function memoryTarget() {
  const stored = new Map<string, Reading>();
  const target: ImportTarget = {
    write: async (rs) => {
      for (const r of rs) stored.set(`${r.site}/${r.zone}/${r.sensor}/${r.quantity}@${r.ts}`, r);
    },
    reachMs: () => 30 * 60_000,
    rollups: async () => {},
  };
  return { stored, target };
}
const run = (csv: string | Buffer, opts: { dryRun?: boolean } = {}) => {
  const m = memoryTarget();
  return importReadings(Buffer.isBuffer(csv) ? csv : Buffer.from(csv), m.target, {
    config,
    inventory: new Inventory([]),
    now: NOW,
    ...opts,
  }).then((s) => ({ ...m, s }));
};

describe('import timestamps', () => {
  it('reads a time without an offset as JST, in the forms Japanese Excel writes', () => {
    const want = Date.parse('2025-06-10T01:00:00Z');
    for (const s of [
      '2025-06-10 10:00',
      '2025/6/10 10:00',
      '2025/06/10 10:00:00',
      '2025-06-10T10:00:00',
      '2025-06-10T10:00:00+09:00',
      '2025-06-10T01:00:00Z',
    ])
      expect(importTimestamp(s), s).toBe(want);
    expect(importTimestamp(want)).toBe(want);
    expect(importTimestamp(String(want))).toBe(want);
    // an XLSX date cell holds wall-clock time (exceljs hands it over as if UTC)
    expect(importTimestamp(new Date('2025-06-10T10:00:00Z'))).toBe(want);
    // an Excel serial date: 2025-06-10 10:00 is 45818 + 10/24
    expect(importTimestamp(45818 + 10 / 24)).toBe(want);
    expect(importTimestamp(1e308)).toMatchObject({ reason: 'bad_timestamp' }); // a number cell no Date can hold
  });

  it('rejects what is not a date', () => {
    for (const s of [
      '2025-13-01 10:00',
      '2025-06-31 10:00',
      '2025-02-29',
      'yesterday',
      '',
      '2025-06-10 25:00',
      new Date(Number.NaN),
    ])
      expect(importTimestamp(s)).toMatchObject({ reason: 'bad_timestamp' });
  });
});

describe('import columns and encodings', () => {
  it('maps English and Japanese headers; quantities by name or label', () => {
    expect(mapHeader(['\uFEFFts', 'Zone', 'sensor', 'quantity', 'value', 'unit'])).toEqual({
      ts: 0,
      zone: 1,
      sensor: 2,
      quantity: 3,
      value: 4,
      unit: 5,
    });
    expect(mapHeader(['日時', 'ゾーン', 'センサー', '項目', '値', '単位', 'サイト'])).toMatchObject({
      site: 6,
    });
    expect(quantityOf('温度')).toBe('temperature');
    expect(quantityOf('CO2')).toBe('co2');
    expect(quantityOf('radon')).toBe('radon');
  });

  it('detects UTF-8 with and without BOM, Shift_JIS (cp932) and UTF-16', () => {
    const text = '日時,値\n2025-06-10 10:00,℃①\n';
    expect(decodeText(Buffer.from(text))).toEqual({ text, encoding: 'utf-8' });
    expect(decodeText(Buffer.from(`\uFEFF${text}`))).toEqual({ text, encoding: 'utf-8-bom' });
    expect(decodeText(iconv.encode(text, 'cp932'))).toEqual({ text, encoding: 'shift_jis' });
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(text, 'utf-16le')]))).toEqual({
      text,
      encoding: 'utf-16le',
    });
  });

  it('numbers rows by the line they start on, quoted newlines, CRLF and empty lines included', () => {
    const t = parseCsv('ts,zone\r\n"a\r\nb",x\r\n\r\nc,y\r\n');
    expect(t.rows.map((r) => r.line)).toEqual([2, 5]); // a record is numbered by the line it starts on
  });
});

describe('importReadings', () => {
  const header = 'ts,zone,sensor,quantity,value,unit\n';

  it('stores good rows, reports each bad one with its line and reason, converts units', async () => {
    const { s, stored } = await run(
      header +
        [
          '2025-06-10 10:00,lobby,env-1,co2,812,', // 2
          '2025-06-10 10:00,lobby,env-1,temperature,77,°F', // 3: 25 °C
          '2025-13-10 10:00,lobby,env-1,co2,812,', // 4 bad ts
          '2025-06-10 10:10,lobby,env-1,co2,lots,', // 5 not a number
          '2025-06-10 10:10,lobby,env-1,co2,50000,', // 6 out of range
          '2025-06-10 10:10,lobby,env-1,radon,3,', // 7 unknown quantity
          '2025-06-10 10:10,Lobby Hall,env-1,co2,800,', // 8 bad id
          '2099-01-01 10:10,lobby,env-1,co2,800,', // 9 future
          '2025-06-10 10:10,lobby,env-1,temperature,20,furlongs', // 10 unit
          '2025-06-10 10:10,lobby,env-1,co2,,', // 11 empty value
        ].join('\n'),
    );
    expect(s.accepted).toBe(2);
    expect(s.rejections.map((r) => [r.line, r.reason])).toEqual([
      [4, 'bad_timestamp'],
      [5, 'not_a_number'],
      [6, 'out_of_range'],
      [7, 'unknown_quantity'],
      [8, 'bad_id'],
      [9, 'future_timestamp'],
      [10, 'bad_unit'],
      [11, 'missing_value'],
    ]);
    expect([...stored.values()].find((r) => r.quantity === 'temperature')?.value).toBe(25);
    expect(describeImport(s)).toContain('line 6: out_of_range');
  });

  it('accepts any age (not bounded by ingest.maxAgeDays) and counts rows repeating a series and time', async () => {
    const { s, stored } = await run(
      `${header}2001-04-01 09:00,lobby,env-1,co2,700,\n2001-04-01 09:00,lobby,env-1,co2,710,\n`,
    );
    expect(s).toMatchObject({ accepted: 2, rejected: 0, repeatedInFile: 1 });
    expect([...stored.values()].map((r) => r.value)).toEqual([710]);
  });

  it('a registered sensor keeps its inventory zone (as over MQTT), and the summary says how many rows named another', async () => {
    const m = memoryTarget();
    const s = await importReadings(
      Buffer.from(`${header}2025-06-10 10:00,counter,env-1,co2,812,\n`),
      m.target,
      {
        config,
        inventory: new Inventory([
          {
            ...inventoryFileSchema.parse({ sensors: [{ id: 'env-1', zone: 'lobby' }] }).sensors[0]!,
            site: 'testsite',
            intervalSeconds: 60,
            file: 'test',
          },
        ]),
        now: NOW,
      },
    );
    expect(s).toMatchObject({ accepted: 1, zoneFromInventory: 1 });
    expect([...m.stored.values()][0]?.zone).toBe('lobby');
  });

  it('--dry-run validates without writing', async () => {
    const { s, stored } = await run(`${header}2025-06-10 10:00,lobby,env-1,co2,812,\n`, { dryRun: true });
    expect(s).toMatchObject({ dryRun: true, accepted: 1 });
    expect(stored.size).toBe(0);
  });

  it('a file without the columns is refused as a whole, naming what is missing', async () => {
    await expect(run('time,where,value\n1,2,3\n')).rejects.toThrow(ImportFileError);
    await expect(run('time,where,value\n1,2,3\n')).rejects.toThrow(
      /missing column\(s\) zone, sensor, quantity/,
    );
  });
});

describe('importReadings on garbage', () => {
  it('never throws anything but ImportFileError, and never stores an invalid reading', async () => {
    const fc = await import('fast-check');
    const cell = fc.oneof(
      fc.string(),
      fc.constantFrom('lobby', 'env-1', 'co2', 'temperature', '2025-06-10 10:00', '1e308', 'NaN', '-1', '℃'),
      fc.double().map(String),
    );
    const csvRow = fc.array(cell, { minLength: 0, maxLength: 8 }).map((cs) => cs.join(','));
    const file = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc
        .array(csvRow, { maxLength: 12 })
        .map((rows) => Buffer.from(['ts,zone,sensor,quantity,value,unit', ...rows].join('\n'))),
    );
    await fc.assert(
      fc.asyncProperty(file, async (bytes) => {
        try {
          const { s, stored } = await run(bytes);
          expect(s.accepted + s.rejected).toBe(s.rows);
          for (const r of stored.values()) {
            expect(Number.isFinite(r.value) && Number.isFinite(r.ts)).toBe(true);
            expect(r.ts).toBeLessThanOrEqual(NOW + config.ingest.maxFutureSkewSeconds * 1000);
          }
        } catch (err) {
          expect(err).toBeInstanceOf(ImportFileError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
