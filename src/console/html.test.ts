import { describe, expect, it } from 'vitest';
import { escapeHtml, html, toHtmlString } from './html.ts';

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const ref = `<script>alert("x")</script>' onmouseover='x`;
    const page = toHtmlString(html`<p title="${ref}">${ref}</p>`);
    expect(page).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x</p>',
    );
    expect(page).not.toContain('<script>');
  });

  it('inserts fragments made by html as markup, lists joined, and nothing for null, undefined and booleans', () => {
    const items = ['a&b', 'c'].map((x) => html`<li>${x}</li>`);
    expect(toHtmlString(html`<ul>${items}</ul>${null}${undefined}${false}${true}${0}`)).toBe('<ul><li>a&amp;b</li><li>c</li></ul>0');
  });

  it('treats a string that looks like markup as text, never as a fragment', () => {
    const lookalike = { toString: () => '<b>' } as unknown as string;
    expect(toHtmlString(html`${lookalike}`)).toBe('&lt;b&gt;');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});
