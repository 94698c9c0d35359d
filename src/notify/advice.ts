import type { Alert } from '../alerts/alert.js';

type I18n = { ja: string; en: string };

/**
 * What staff should do, when the rule gives no `advice:`. Chosen by the
 * quantity and the side of the limit (too high / too low); undefined when
 * there is nothing sensible to say.
 */
export function adviceFor(
  a: Pick<Alert, 'advice' | 'kind' | 'quantity' | 'limit' | 'value' | 'category'>,
): I18n | undefined {
  if (a.advice) return a.advice;
  if (a.kind === 'stale' || a.kind === 'offline')
    return {
      ja: 'センサーの電源と通信（Wi-Fi・電池）を確認してください',
      en: 'Check the sensor’s power and connection (Wi-Fi, battery)',
    };
  if (a.kind === 'empty_zone' || a.quantity === 'lights')
    return { ja: '不要な照明の消灯をお願いします', en: 'Please switch off lights that are not needed' };
  const low = isLow(a);
  switch (a.quantity) {
    case 'co2':
      return {
        ja: '換気をお願いします（窓を開ける・換気設備の運転を確認）',
        en: 'Please ventilate (open windows, check the ventilation is running)',
      };
    case 'temperature':
      if (a.category === 'protection')
        return low
          ? {
              ja: '凍結のおそれがあります: 暖房と配管の保温を確認してください',
              en: 'Risk of freezing: check the heating and pipe insulation',
            }
          : {
              ja: '室温が高すぎます: 空調と機器の発熱を確認してください',
              en: 'Overheating: check the air conditioning and equipment',
            };
      if (a.category === 'eco')
        return low
          ? {
              ja: '冷房の設定温度を上げてください（目安 28 °C）',
              en: 'Raise the cooling set point (about 28 °C)',
            }
          : {
              ja: '暖房の設定温度を下げてください（目安 20 °C）',
              en: 'Lower the heating set point (about 20 °C)',
            };
      return low
        ? { ja: '暖房の運転と設定温度を確認してください', en: 'Check the heating is on and its set point' }
        : {
            ja: '冷房の運転・設定温度と日差し（ブラインド）を確認してください',
            en: 'Check the cooling and its set point, and the sun (blinds)',
          };
    case 'humidity':
      return low
        ? { ja: '加湿器の運転を確認してください', en: 'Check the humidifiers are running' }
        : { ja: '換気・除湿をお願いします', en: 'Please ventilate or dehumidify' };
    case 'illuminance':
      return low
        ? { ja: '照明の点灯・球切れを確認してください', en: 'Check the lights are on and no lamp has failed' }
        : undefined;
    case 'waiting':
    case 'wait_minutes':
      return { ja: '窓口の応援・増設を検討してください', en: 'Consider opening another counter window' };
    default:
      return undefined;
  }
}

/** A below-limit alert: the limit is a lower bound and the value is under it. */
export function isLow(a: Pick<Alert, 'limit' | 'value'>): boolean {
  const { above, below } = a.limit;
  if (below === undefined) return false;
  if (above === undefined) return true;
  return a.value < below;
}
