/**
 * Home Assistant `value_template`s of the common shapes, as a field path —
 * never evaluated (no Jinja, no eval):
 * `{{ value }}` → `$` (the whole payload), `{{ value_json.a.b }}`,
 * `{{ value_json['a']['b'] }}`, `{{ value_json["a"] }}`, `{{ value_json.a[0] }}` → `a.b`,
 * each optionally followed by `| float`, `| int` (with a default argument)
 * or `| round(n)`. Kaiteki keeps full precision, so these filters are accepted
 * and dropped. Anything else is unsupported, with the reason.
 */
export type TemplatePath = { path: string } | { unsupported: string };

const FILTER =
  /^\|\s*(float|int)(\(\s*-?\d*\.?\d*\s*\))?\s*|^\|\s*round(\(\s*\d*\s*(,\s*['"](common|floor|ceil)['"]\s*)?\))?\s*/;
const IDENT = /^\.([A-Za-z_][A-Za-z0-9_]*)/;
const BRACKET = /^\[\s*(?:'([^'\\]*)'|"([^"\\]*)"|(\d+))\s*\]/;

export function templatePath(template: string | undefined): TemplatePath {
  if (template === undefined) return { path: '$' };
  const m = /^\s*\{\{-?\s*(.*?)\s*-?\}\}\s*$/s.exec(template);
  if (!m || m[1]!.includes('{{') || m[1]!.includes('}}')) {
    return { unsupported: 'only a single {{ … }} expression is supported' };
  }
  let rest = m[1]!;
  const segs: string[] = [];
  if (rest.startsWith('value_json')) {
    rest = rest.slice('value_json'.length);
    for (;;) {
      const id = IDENT.exec(rest) ?? BRACKET.exec(rest);
      if (!id) break;
      const key = id[1] ?? id[2] ?? id[3]!;
      if (key.includes('.') || key === '' || key === '*' || key === '$') {
        return { unsupported: `the key "${key.slice(0, 32)}" cannot be written as a field path` };
      }
      segs.push(key);
      rest = rest.slice(id[0].length);
    }
    if (segs.length === 0) return { unsupported: 'value_json without a field' };
  } else if (/^value(?![A-Za-z0-9_])/.test(rest)) {
    rest = rest.slice('value'.length);
  } else {
    return { unsupported: `expression "${rest.slice(0, 40)}" is not value or value_json…` };
  }
  rest = rest.trimStart();
  while (rest.length > 0) {
    const f = FILTER.exec(rest);
    if (!f || f[0].length === 0)
      return { unsupported: `unsupported filter or expression "${rest.slice(0, 40)}"` };
    rest = rest.slice(f[0].length);
  }
  return { path: segs.length === 0 ? '$' : segs.join('.') };
}
