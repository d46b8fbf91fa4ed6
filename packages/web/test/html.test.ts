import assert from 'node:assert/strict';
import { test } from 'node:test';
import { html, markupOf, trusted } from '../src/index.ts';

test('web html - what a service or user sent is text, never markup', () => {
  const name = '<img src=x onerror=alert(1)>"&\'';
  assert.equal(
    markupOf(html`<td>${name}</td>`),
    '<td>&lt;img src=x onerror=alert(1)&gt;&quot;&amp;&#39;</td>',
  );
  assert.equal(markupOf(html`<a title="${'" onclick="x'}">`), '<a title="&quot; onclick=&quot;x">');
});

test("web html - the page's own fragments, lists and absent values compose", () => {
  const items = ['a<b', 'c'].map((item) => html`<li>${item}</li>`);
  assert.equal(
    markupOf(html`<ul>${items}</ul>${undefined}${false}${null}`),
    '<ul><li>a&lt;b</li><li>c</li></ul>',
  );
  assert.equal(markupOf(html`${trusted('<hr>')}${0}`), '<hr>0');
});
