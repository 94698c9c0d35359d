/** The wall's header (site, layout name, Japanese date, JST clock) and the live-connection banner. */
import { h, setText } from './dom.js';
import { eraYear, formatDate, formatTime } from './format.js';
import { nameIn } from './i18n.js';

export class Header {
  /**
   * @param {any} env {lang, t, site, now}
   * @param {{ja: string, en: string} | undefined} title
   * @param {boolean} legend show the status colour key
   */
  constructor(env, title, legend) {
    this.env = env;
    this.date = h('span.date');
    this.era = h('span.era');
    this.clock = h('span.clock');
    this.el = h(
      'header.top',
      null,
      h(
        'div.site',
        null,
        h('h1', null, nameIn(env.site.site.name, env.lang)),
        title ? h('span.layout-title', null, nameIn(title, env.lang)) : null,
      ),
      legend &&
        h(
          'div.legend',
          null,
          h('span.key.key-ok', null, env.t('status_ok')),
          h('span.key.key-caution', null, env.t('status_caution')),
          h('span.key.key-out', null, env.t('status_out')),
          h('span.key.key-eco', null, h('b', null, env.t('eco_short')), ` ${env.t('eco')}`),
        ),
      h(
        'div.when',
        null,
        h('div.dateline', null, this.date, env.lang === 'ja' ? this.era : null),
        this.clock,
      ),
    );
    this.bannerText = h('span.banner-text');
    this.banner = h(
      'div.banner',
      { role: 'alert', hidden: '' },
      h('span.banner-icon', null, '⚠'),
      this.bannerText,
    );
  }

  /** Every second: date and clock in Asia/Tokyo whatever the browser's zone. */
  tick() {
    const ms = this.env.now();
    setText(this.date, formatDate(ms, this.env.lang));
    setText(this.era, `（${eraYear(ms)}）`);
    setText(this.clock, formatTime(ms));
  }

  /** @param {boolean} connected @param {number} since local ms the connection dropped */
  setConnected(connected, since) {
    const { t } = this.env;
    this.banner.hidden = connected;
    document.body.classList.toggle('disconnected', !connected);
    if (!connected)
      setText(
        this.bannerText,
        t('live_lost') + t('live_since', { time: formatTime(since + this.env.offset()) }),
      );
  }
}
