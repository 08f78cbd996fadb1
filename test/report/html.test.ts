import { describe, expect, it } from 'vitest';
import { flatten, formatDuration, formatNumber, formatTime, formatValue, html, jsonForScript, raw, scriptText } from '../../src/report/html.ts';

describe('html', () => {
  it('escapes what it interpolates, but markup it made and lists of it', () => {
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p title="${'"x" & \'y\''}">${inner}${[inner, 'a<b']}${undefined}${false}${0}</p>`.text).toBe(
      '<p title="&quot;x&quot; &amp; &#39;y&#39;"><b>&lt;i&gt;</b><b>&lt;i&gt;</b>a&lt;b0</p>',
    );
    expect(html`${raw('<br>')}`.text).toBe('<br>');
  });

  it('keeps JSON and scripts from closing their element', () => {
    const json = jsonForScript({ title: '</script><!-- x' });
    expect(json).not.toMatch(/<\/script|<!--/i);
    expect(JSON.parse(json)).toEqual({ title: '</script><!-- x' });
    const js = scriptText('const a = "</SCRIPT>", b = /<!--/;');
    expect(js).not.toMatch(/<\/script|<!--/i);
    // The escaped forms mean the same to JavaScript.
    expect(new Function(`${js}; return [a, b.test('<!--')];`)()).toEqual(['</SCRIPT>', true]);
  });
});

describe('formatting', () => {
  it('writes numbers with 6 significant digits and a true minus sign', () => {
    expect([formatNumber(0.1 + 0.2), formatNumber(-1.23456789), formatNumber(42), formatNumber(1e-7)]).toEqual(['0.3', '−1.23457', '42', '1e-7']);
  });
  it('writes durations, times and values', () => {
    expect([formatDuration(860), formatDuration(12_345), formatDuration(125_000)]).toEqual(['0.86 s', '12.3 s', '2 min 05 s']);
    expect(formatTime('2026-12-03T08:31:27.623Z')).toBe('2026-12-03 08:31:27 UTC');
    expect([formatValue([2, 4, 1]), formatValue('sgd'), formatValue(true), formatValue(null)]).toEqual(['[2,4,1]', 'sgd', 'true', 'null']);
  });
  it('flattens nested params to dot paths, arrays kept whole', () => {
    expect(flatten({ optimizer: { name: 'sgd', lr: 0.1 }, layers: [2, 1], init: {} })).toEqual([['optimizer.name', 'sgd'], ['optimizer.lr', 0.1], ['layers', [2, 1]]]);
  });
});
