import { describe, expect, it } from 'vitest';
import { parseConfig, readYamlObject } from '../../src/config/load.js';
import { Calendar } from '../../src/core/calendar.js';
import { ConfigError } from '../../src/core/errors.js';
import { compileRules, loadRules } from '../../src/rules/compile.js';
import { config } from './helpers.js';

describe('rules file', () => {
  it('the default rule set compiles against the Takatsu config, with thresholds from config limits', () => {
    const cfg = parseConfig(readYamlObject('config/takatsu.yaml', true), 'config/takatsu.yaml', {});
    const rules = loadRules('config/rules.yaml', cfg, new Calendar(cfg.hours), 3);
    const byId = new Map(rules.map((r) => [r.id, r]));
    expect(byId.get('comfort.co2')!.thresholds('lobby').above).toBe(cfg.limits.co2.max);
    expect(byId.get('comfort.illuminance')!.thresholds('kumin-counter').below).toBe(750);
    expect(byId.get('eco.overcooling')!.thresholds('office').below).toBe(cfg.limits.eco.overcoolBelow);
    expect(byId.get('service.wait')!.thresholds('kumin-counter')).toMatchObject({ above: 20, critAbove: 40 });
    // a changed limit flows into the rules
    const changed = parseConfig({ limits: { co2: { max: 800 } } }, 'x', {});
    const r2 = loadRules('config/rules.yaml', changed, new Calendar(changed.hours), 3);
    expect(r2.find((r) => r.id === 'comfort.co2')!.thresholds('lobby').above).toBe(800);
  });

  it('reports every problem with file and key', () => {
    const cfg = config();
    const cal = new Calendar(cfg.hours);
    const bad = {
      rules: [
        { id: 'a', category: 'comfort', quantity: 'co2', above: 'limits.co2.maximum' },
        { id: 'a', category: 'comfort', quantity: 'co2' },
      ],
    };
    try {
      compileRules(bad, 'config/rules.yaml', cfg, cal);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as ConfigError).message;
      expect(msg).toContain(
        'config/rules.yaml: rules[0].above: "limits.co2.maximum" is not a number in config limits',
      );
      expect(msg).toContain('rules[1].id: duplicate rule id "a"');
      expect(msg).toContain('rules[1]: a threshold rule needs "above" and/or "below"');
    }
    expect(() =>
      compileRules(
        { rules: [{ id: 'x', category: 'comfort', quantity: 'co2', above: 1, for: 'soon' }] },
        'r.yaml',
        cfg,
        cal,
      ),
    ).toThrow(/r\.yaml: rules\[x\]\.for: .*duration/); // a rule is named by its id
  });
});
