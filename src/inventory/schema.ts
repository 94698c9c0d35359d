import { z } from 'zod';
import { slug } from '../config/schema.js';
import { QUANTITY_NAMES, type Quantity } from '../core/quantities.js';
import { isKnownUnit, isVoltage } from '../ingest/formats/units.js';

const quantity = z.enum(QUANTITY_NAMES as [Quantity, ...Quantity[]]);

/**
 * An MQTT topic filter: `+` for one level, `#` for the rest (last level
 * only). Spaces and non-ASCII characters are allowed, as MQTT allows them.
 */
export const topicFilter = z
  .string()
  .min(1)
  .max(1024)
  .refine((t) => !t.includes('\u0000'), 'a topic must not contain NUL')
  .refine(
    (t) =>
      t
        .split('/')
        .every(
          (l, i, all) =>
            (l.includes('+') ? l === '+' : true) &&
            (l.includes('#') ? l === '#' && i === all.length - 1 : true),
        ),
    'wildcards must fill a whole level ("a/+/b", "a/#"), and "#" must be the last level',
  );

/** Where one source field goes: a quantity name, or a quantity with the source's unit and a linear fix. */
export const fieldTargetSchema = z.union([
  quantity,
  z.strictObject({
    quantity,
    /** the unit the source sends when it does not say so itself (°F, K, ratio, klx, Wh, mV …) */
    unit: z
      .string()
      .refine(
        isKnownUnit,
        'unknown unit (°C, °F, K, %, ratio, ppm, lx, klx, W, kW, Wh, kWh, mV, V, min, s, h)',
      )
      .optional(),
    /** multiplied after unit conversion (an analogue sensor in mV: quantity units per volt) */
    scale: z.number().finite().optional(),
    /** added after scaling */
    offset: z.number().finite().optional(),
  }),
]);
export type FieldTargetConfig = z.infer<typeof fieldTargetSchema>;

/** One sensor of the inventory (`sensors/*.yaml`, key `sensors:`). */
export const sensorSchema = z
  .strictObject({
    id: slug,
    zone: slug,
    /** defaults to the configured site */
    site: slug.optional(),
    name: z.strictObject({ ja: z.string(), en: z.string() }).optional(),
    /** what it measures; readings of other quantities from it are still accepted */
    quantities: z.array(quantity).default([]),
    /** expected reporting interval; a sensor silent for `staleAfterIntervals` of these is stale */
    intervalSeconds: z.number().positive().optional(),
    /** added to each value of that quantity (e.g. `temperature: -0.4`) */
    calibration: z.partialRecord(quantity, z.number()).default({}),
    /**
     * payload format; `kaiteki` is the native topic contract (DESIGN §4). Third-party
     * formats (docs/devices.md): zigbee2mqtt, tasmota, esphome, homeassistant, shelly, homie.
     */
    format: z.string().default('kaiteki'),
    /** third-party formats: the device's source topic (its meaning per format: docs/devices.md); wildcards allowed */
    topic: topicFilter.optional(),
    /** third-party formats: where the device says online/offline, when not the format's usual place */
    availabilityTopic: topicFilter.optional(),
    /** third-party formats: source field path (`SCD40.CarbonDioxide`, `temperature:0.tC`) → quantity; default per format */
    map: z.record(z.string().min(1).max(256), fieldTargetSchema).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.format === 'kaiteki') {
      for (const key of ['topic', 'availabilityTopic', 'map'] as const) {
        if (s[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `only for third-party formats (set format: zigbee2mqtt, tasmota, …); the native format takes the topic from the contract`,
          });
        }
      }
      return;
    }
    if (s.topic === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['topic'],
        message: `format "${s.format}" needs the device's source topic`,
      });
    }
    for (const [path, t] of Object.entries(s.map ?? {})) {
      if (typeof t === 'object' && t.unit !== undefined && isVoltage(t.unit) && t.scale === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['map', path, 'scale'],
          message: `a value in ${t.unit} needs a scale (${t.quantity} per volt)`,
        });
      }
    }
  });
export type SensorConfig = z.infer<typeof sensorSchema>;

export const inventoryFileSchema = z.strictObject({ sensors: z.array(sensorSchema).default([]) });
