import { describe, expect, it } from 'vitest';
import { escapeHtml, html, raw } from '../../../src/dashboard/html.js';

describe('escapeHtml', () => {
  it.each([
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['a & b', 'a &amp; b'],
    ['"quoted" and \'single\'', '&quot;quoted&quot; and &#39;single&#39;'],
    ['`tick`', '&#96;tick&#96;'],
    ['&amp; already', '&amp;amp; already'],
    ['reports:daily --dry-run', 'reports:daily --dry-run'],
  ])('%j → %j', (text, escaped) => {
    expect(escapeHtml(text)).toBe(escaped);
  });
});

describe('html templates', () => {
  it('escape every interpolated value, in content and in attributes', () => {
    const name = '"><img src=x onerror=alert(1)>';
    expect(html`<a title="${name}">${name}</a>`.toString()).toBe('<a title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</a>');
  });

  it('keep nested templates as markup, join arrays, and render nothing for undefined, null and false', () => {
    const items = ['<a>', 'b&'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${undefined}${null}${false}${0}`.toString()).toBe('<ul><li>&lt;a&gt;</li><li>b&amp;</li></ul>0');
  });

  it('never take a plain string for markup: only raw() vouches for one', () => {
    expect(html`${'<b>x</b>'}`.toString()).toBe('&lt;b&gt;x&lt;/b&gt;');
    expect(html`${raw('<b>x</b>')}`.toString()).toBe('<b>x</b>');
  });
});
