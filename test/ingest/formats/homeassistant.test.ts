import { describe, expect, it } from 'vitest';
import { parseDiscovery } from '../../../src/ingest/discovery.js';
import { templatePath } from '../../../src/ingest/formats/template.js';
import { byQuantity, fixtures, harness, NOW, sensor } from '../helpers.js';

const fx = fixtures('homeassistant');
const discover = (id: string) =>
  parseDiscovery(fx[id]!.topic, Buffer.from(fx[id]!.payload), 'homeassistant', NOW);

describe('Home Assistant discovery parsing (documented configs)', () => {
  it('proposes the bedroom temperature entity with its path, unit and device', () => {
    const r = discover('bedroom-t-config');
    expect(r.kind).toBe('proposal');
    if (r.kind !== 'proposal') return;
    expect(r.proposal).toMatchObject({
      component: 'sensor',
      stateTopic: 'homeassistant/sensor/sensorBedroom/state',
      quantity: 'temperature',
      unit: '°C',
      path: 'temperature',
      supported: true,
      suggestedSensor: 'temp01ae',
      device: { name: 'Bedroom', identifiers: ['bedroom01ae'], manufacturer: 'Example sensors Ltd.' },
    });
  });

  it('proposes the garden motion binary_sensor as occupancy from the whole payload', () => {
    const r = discover('garden-config');
    expect(r.kind === 'proposal' && r.proposal).toMatchObject({
      component: 'binary_sensor',
      quantity: 'occupancy',
      path: '$',
    });
  });

  it('removes on an empty config and ignores non-sensor components', () => {
    expect(discover('garden-delete')).toEqual({
      kind: 'remove',
      discoveryTopic: 'homeassistant/binary_sensor/garden/config',
    });
    expect(discover('irrigation-switch')).toEqual({ kind: 'ignore' });
  });

  it('reads abbreviated keys and the ~ base topic, with a node id level', () => {
    const payload = JSON.stringify({
      '~': 'tele/tasmota_C26D46',
      stat_t: '~/SENSOR',
      avty_t: '~/LWT',
      val_tpl: "{{ value_json['SCD40']['CarbonDioxide'] }}",
      dev_cla: 'carbon_dioxide',
      unit_of_meas: 'ppm',
      uniq_id: 'C26D46_SCD40_CarbonDioxide',
      dev: { ids: ['C26D46'], name: '1F 区民課 CO2', mf: 'Tasmota', mdl: 'SCD40' },
    });
    const r = parseDiscovery(
      'homeassistant/sensor/C26D46/co2/config',
      Buffer.from(payload),
      'homeassistant',
      NOW,
    );
    expect(r.kind === 'proposal' && r.proposal).toMatchObject({
      stateTopic: 'tele/tasmota_C26D46/SENSOR',
      availabilityTopic: 'tele/tasmota_C26D46/LWT',
      path: 'SCD40.CarbonDioxide',
      quantity: 'co2',
      suggestedSensor: 'c26d46_scd40_carbondioxide',
      device: { name: '1F 区民課 CO2', manufacturer: 'Tasmota', model: 'SCD40' },
    });
  });

  it('ignores device classes that are not quantities (battery) and marks odd templates and units unsupported', () => {
    const cfg = (o: object) => Buffer.from(JSON.stringify({ state_topic: 's/t', ...o }));
    expect(
      parseDiscovery(
        'homeassistant/sensor/x/battery/config',
        cfg({ device_class: 'battery', unit_of_measurement: '%' }),
        'homeassistant',
        NOW,
      ),
    ).toEqual({
      kind: 'ignore',
    });
    const tpl = parseDiscovery(
      'homeassistant/sensor/x/t/config',
      cfg({ device_class: 'temperature', value_template: '{{ value_json.t * 10 }}' }),
      'homeassistant',
      NOW,
    );
    expect(tpl.kind === 'proposal' && tpl.proposal).toMatchObject({
      supported: false,
      reason: expect.stringMatching(/value_template/),
    });
    const unit = parseDiscovery(
      'homeassistant/sensor/x/c/config',
      cfg({ device_class: 'carbon_dioxide', unit_of_measurement: 'µg/m³' }),
      'homeassistant',
      NOW,
    );
    expect(unit.kind === 'proposal' && unit.proposal).toMatchObject({
      supported: false,
      reason: expect.stringMatching(/unit/),
    });
  });

  it('rejects invalid JSON with a reason', () => {
    expect(
      parseDiscovery('homeassistant/sensor/x/config', Buffer.from('{nope'), 'homeassistant', NOW),
    ).toMatchObject({
      kind: 'reject',
      reason: 'invalid_json',
    });
  });
});

describe('value templates', () => {
  it.each([
    ['{{ value }}', '$'],
    ['{{ value_json.temperature }}', 'temperature'],
    ['{{value_json.BME280.Temperature}}', 'BME280.Temperature'],
    ["{{ value_json['DHT11']['Temperature'] }}", 'DHT11.Temperature'],
    ['{{ value_json["DS18B20"]["Temperature"] }}', 'DS18B20.Temperature'],
    ['{{ value_json.humidity | round(1) }}', 'humidity'],
    ['{{ value_json.co2 | float }}', 'co2'],
    ['{{ value_json.co2 | int(0) }}', 'co2'],
    ['{{ value_json.sensors[0] }}', 'sensors.0'],
    [undefined, '$'],
  ])('%s → %s', (tpl, path) => {
    expect(templatePath(tpl)).toEqual({ path });
  });

  it.each([
    '{{ value_json.t * 10 }}',
    '{% if value_json.on %}1{% endif %}',
    '{{ states("sensor.x") }}',
    '{{ value_json }}',
    "{{ value_json['a.b'] }}",
    '{{ value_json.x | multiply(2) }}',
    '{{ value }} {{ value }}',
  ])('%s is unsupported', (tpl) => {
    expect(templatePath(tpl)).toHaveProperty('unsupported');
  });
});

describe('homeassistant state format (a confirmed or hand-written entry)', () => {
  it('reads the documented common state payload for both entities sharing the state topic', () => {
    const h = harness([
      sensor({
        id: 'bedroom',
        zone: 'office',
        format: 'homeassistant',
        topic: 'homeassistant/sensor/sensorBedroom/state',
        map: {
          temperature: { quantity: 'temperature', unit: '°C' },
          humidity: { quantity: 'humidity', unit: '%' },
        },
      }),
    ]);
    expect(h.send(fx['bedroom-state']!.topic, fx['bedroom-state']!.payload)).toBe('accepted');
    expect(byQuantity(h.readings)).toEqual({ temperature: 23.2, humidity: 43.7 });
  });

  it('reads a plain payload through `$` and an availability topic', () => {
    const h = harness([
      sensor({
        id: 'garden',
        zone: 'lobby',
        format: 'homeassistant',
        topic: 'homeassistant/binary_sensor/garden/state',
        availabilityTopic: 'garden/availability',
        map: { $: 'occupancy' },
      }),
    ]);
    h.send(fx['garden-state']!.topic, fx['garden-state']!.payload);
    h.send('garden/availability', 'Online');
    expect(byQuantity(h.readings)).toEqual({ occupancy: 1 });
    expect(h.statuses[0]?.online).toBe(true);
  });
});
