/**
 * Export: a text written by a model is untrusted, so the HTML export must carry no script into the
 * page it is pasted in, neither as raw HTML nor through a link or image address.
 */
import { describe, expect, it } from 'vitest';
import type { ContentText } from './content-store.js';
import { exportText } from './export.js';

function textWith(body: string, title = 'Höstens kaffe'): ContentText {
  return {
    id: 'text-1',
    profileId: null,
    templateId: 'linkedin-post',
    title,
    language: 'sv',
    state: 'draft',
    version: 1,
    body,
    findings: [],
    citations: [{ sentence: 'Vi rostar i Göteborg.', source: 1, chunkId: 'c1', title: '<b>Om oss</b>' }],
    origin: 'generated',
    bulkJobId: null,
    bulkRow: null,
    nearDuplicateOf: null,
    createdBy: null,
    createdAt: '2026-11-28T00:00:00.000Z',
    updatedAt: '2026-11-28T00:00:00.000Z',
  };
}

describe('HTML export', () => {
  it('escapes raw HTML in the body, the title and the sources', () => {
    const { body } = exportText(textWith('Hej <script>alert(1)</script> på er!', '<img onerror=x>'), 'html');
    expect(body).not.toContain('<script>');
    expect(body).toContain('&lt;script&gt;');
    expect(body).toContain('<title>&lt;img onerror=x&gt;</title>');
    expect(body).toContain('<li value="1">&lt;b&gt;Om oss&lt;/b&gt;</li>');
  });

  it('drops script addresses from links and images, in any case or spacing, and keeps safe ones', () => {
    const { body } = exportText(
      textWith(
        [
          '[klicka](javascript:alert(1)) [stort](JaVaScRiPt:alert(2)) [tab](java\tscript:alert(3))',
          '![bild](javascript:alert(4)) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](vbscript:msgbox)',
          '[ent](javascript&#58;alert(5)) [ent2](&#106;avascript:alert(6))\n\n[ref][r]\n\n[r]: javascript:alert(7)',
          '[webb](https://rosteriet.se/kaffe?a=1&b=2) [post](mailto:hej@rosteriet.se) [sida](/om-oss) <https://ok.se>',
        ].join('\n\n'),
      ),
      'html',
    );
    expect(body.toLowerCase()).not.toMatch(/(?:href|src)="\s*(?:java|vb)?\s*script|(?:href|src)="data:/);
    expect(body).not.toMatch(/javascript:|vbscript:|data:text|&#58;|&#106;/i);
    // The words of a dropped link stay as text.
    expect(body).toContain('klicka');
    expect(body).toContain('bild');
    expect(body).toContain('<a href="https://rosteriet.se/kaffe?a=1&amp;b=2">webb</a>');
    expect(body).toContain('<a href="mailto:hej@rosteriet.se">post</a>');
    expect(body).toContain('<a href="/om-oss">sida</a>');
    expect(body).toContain('<a href="https://ok.se">https://ok.se</a>');
  });
});

describe('Markdown and plain-text export', () => {
  it('list the sources under a heading in the text’s language', () => {
    expect(exportText(textWith('Rostat i Göteborg.'), 'markdown').body).toBe(
      'Rostat i Göteborg.\n\n## Källor\n\n1. <b>Om oss</b>\n',
    );
    expect(exportText(textWith('**Rostat** i Göteborg.'), 'text').body).toBe(
      'Rostat i Göteborg.\n\nKällor:\n1. <b>Om oss</b>\n',
    );
  });
});
