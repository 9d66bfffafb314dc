// Job summaries are markdown written from run data: rendered as GitHub would (tables, <details>), never as markup
// that the data itself injects.
import { expect, test } from 'vitest';
import { renderMarkdown } from '../src/index.ts';

test('GFM tables and <details> render; scripts, handlers and javascript: links do not', () => {
  const html = renderMarkdown(
    [
      '### deploy-ecs-wait: success',
      '',
      '| service | status |',
      '| --- | --- |',
      '| api | ✅ completed |',
      '',
      '<details><summary>Diff</summary>',
      '',
      '```diff',
      '- image: a',
      '+ image: b',
      '```',
      '',
      '</details>',
      '',
      '<script>alert(1)</script><img src=x onerror="alert(2)">',
      '',
      'a [link](javascript:alert(3)) and [another](https://github.com/deploy-actions/deploy-actions)',
    ].join('\n'),
  );
  expect(html).toContain('<table>');
  expect(html).toContain('<td>api</td>');
  expect(html).toContain('<details><summary>Diff</summary>');
  expect(html).toContain('<code class="language-diff">');
  expect(html).not.toMatch(/<script|onerror|href="javascript/);
  expect(html).toContain('<a>link</a>');
  expect(html).toContain('<a href="https://github.com/deploy-actions/deploy-actions">another</a>');
});
