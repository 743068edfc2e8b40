import { describe, expect, it } from 'vitest';
import { PolettError } from '../../errors.js';
import { parseDocument } from './index.js';

const encoder = new TextEncoder();

function utf16le(text: string, bom: boolean): Uint8Array {
  const body = Buffer.from(text, 'utf16le');
  return bom ? Buffer.concat([Buffer.from([0xff, 0xfe]), body]) : body;
}

function windows1252(text: string): Uint8Array {
  // Node's latin1 is ISO-8859-1, which agrees with Windows-1252 on å, ä, ö, é.
  return Buffer.from(text, 'latin1');
}

const SWEDISH =
  'Vår kundtjänst svarar på frågor om beställningar, returer och leveranser.\n\nÖppettiderna är vardagar mellan åtta och fem, och på lördagar håller butiken öppet till tre.';

describe('plain text', () => {
  it.each([
    ['UTF-8 without BOM', encoder.encode(SWEDISH)],
    ['UTF-8 with BOM', new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode(SWEDISH)])],
    ['UTF-16 LE with BOM', utf16le(SWEDISH, true)],
    ['UTF-16 LE without BOM', utf16le(SWEDISH, false)],
    ['Windows-1252', windows1252(SWEDISH)],
  ])('reads %s with å, ä and ö intact', async (_label, bytes) => {
    const document = await parseDocument({ bytes, name: 'kundtjanst.txt' });
    expect(document.format).toBe('text');
    expect(document.title).toBe('kundtjanst');
    expect(document.language).toBe('sv');
    expect(document.blocks.map((block) => block.text)).toEqual([
      'Vår kundtjänst svarar på frågor om beställningar, returer och leveranser.',
      'Öppettiderna är vardagar mellan åtta och fem, och på lördagar håller butiken öppet till tre.',
    ]);
  });

  it('keeps a bulleted paragraph as a list', async () => {
    const text = 'Det här ingår:\n\n- frakt\n- montering\n- två års garanti';
    const document = await parseDocument({ bytes: encoder.encode(text), name: 'villkor.txt' });
    expect(document.blocks[1]).toMatchObject({
      kind: 'list',
      text: '- frakt\n- montering\n- två års garanti',
    });
  });

  it('detects English', async () => {
    const text = 'Our customer service answers questions about orders, returns and deliveries every weekday.';
    const document = await parseDocument({ bytes: encoder.encode(text), name: 'service.txt' });
    expect(document.language).toBe('en');
  });
});

describe('Markdown', () => {
  const markdown = `---
title: "Returpolicy för webbutiken"
---

# Returer

Du har **30 dagars** öppet köp på allt du handlar i [webbutiken](https://example.se).

## Så returnerar du

1. Fyll i returformuläret.
2. Packa varan väl:
   - originalkartongen går bra
   - annars en stadig låda
3. Lämna paketet hos ombudet.

## Avgifter

| Tjänst | Pris |
|---|---|
| Retur inom Sverige | 0 kr |
| Retur från Finland | 99 kr |

\`\`\`json
{ "order": 1234 }
\`\`\`

> Tänk på att varan ska vara oanvänd.
`;

  it('keeps headings with levels, lists, tables and code as blocks', async () => {
    const document = await parseDocument({ bytes: encoder.encode(markdown), name: 'retur.md' });
    expect(document.format).toBe('markdown');
    expect(document.title).toBe('Returpolicy för webbutiken');
    expect(document.language).toBe('sv');
    expect(document.blocks.map(({ kind, text, level }) => ({ kind, text, level }))).toEqual([
      { kind: 'heading', text: 'Returer', level: 1 },
      {
        kind: 'paragraph',
        text: 'Du har 30 dagars öppet köp på allt du handlar i webbutiken.',
        level: undefined,
      },
      { kind: 'heading', text: 'Så returnerar du', level: 2 },
      {
        kind: 'list',
        text: '1. Fyll i returformuläret.\n2. Packa varan väl:\n  - originalkartongen går bra\n  - annars en stadig låda\n3. Lämna paketet hos ombudet.',
        level: undefined,
      },
      { kind: 'heading', text: 'Avgifter', level: 2 },
      {
        kind: 'table',
        text: 'Tjänst | Pris\nRetur inom Sverige | 0 kr\nRetur från Finland | 99 kr',
        level: undefined,
      },
      { kind: 'code', text: '{ "order": 1234 }', level: undefined },
      { kind: 'paragraph', text: 'Tänk på att varan ska vara oanvänd.', level: undefined },
    ]);
  });

  it('uses the first heading as the title without front matter, and anchors blocks when it has a URL', async () => {
    const source = '# Leveranser\n\nVi skickar med PostNord.\n\n## Leveranstider\n\nTvå till fyra dagar.\n';
    const document = await parseDocument({
      bytes: encoder.encode(source),
      name: 'leverans.md',
      url: 'https://example.se/docs/leverans.md',
    });
    expect(document.title).toBe('Leveranser');
    expect(document.blocks.at(-1)).toMatchObject({
      text: 'Två till fyra dagar.',
      location: { url: 'https://example.se/docs/leverans.md#leveranstider' },
    });
  });
});

describe('HTML', () => {
  const html = `<!doctype html>
<html lang="sv"><head>
  <meta charset="utf-8"><title>Frakt och leverans | Exempelbutiken</title>
  <style>.hidden { display: none }</style>
  <script>window.tracking = "spåra allt";</script>
</head>
<body>
  <header><a href="/">Exempelbutiken</a><nav><ul><li><a href="/om">Om oss</a></li></ul></nav></header>
  <main>
    <h1 id="frakt">Frakt &amp; leverans</h1>
    <p>Vi skickar dina varor med <strong>PostNord</strong> eller <em>DHL</em>.<br>Leveransen tar oftast två dagar.</p>
    <section id="priser">
      <h2>Priser</h2>
      <table>
        <thead><tr><th>Vikt</th><th>Pris</th></tr></thead>
        <tbody><tr><td>Under 5 kg</td><td>49 kr</td></tr><tr><td>Över 5 kg</td><td>99 kr</td></tr></tbody>
      </table>
    </section>
    <h2 id="villkor">Villkor</h2>
    <ul><li>Fri frakt över 500 kr</li><li>Spårning ingår<ul><li>via sms</li></ul></li></ul>
    <pre><code>Ordernummer: 1234</code></pre>
    <div hidden>Dold text</div>
    <noscript>Aktivera Javascript</noscript>
  </main>
  <footer>© Exempelbutiken AB, Storgatan 1</footer>
  <script>document.write("mer skript")</script>
</body></html>`;

  it('keeps the structure, drops scripts, styles and boilerplate, and anchors blocks to sections', async () => {
    const document = await parseDocument({
      bytes: encoder.encode(html),
      name: 'https://example.se/frakt',
      url: 'https://example.se/frakt?x=1',
      contentType: 'text/html; charset=utf-8',
    });
    expect(document.format).toBe('html');
    expect(document.title).toBe('Frakt och leverans | Exempelbutiken');
    expect(document.language).toBe('sv');
    expect(document.blocks).toEqual([
      {
        kind: 'heading',
        level: 1,
        text: 'Frakt & leverans',
        location: { url: 'https://example.se/frakt?x=1#frakt' },
      },
      {
        kind: 'paragraph',
        text: 'Vi skickar dina varor med PostNord eller DHL.\nLeveransen tar oftast två dagar.',
        location: { url: 'https://example.se/frakt?x=1#frakt' },
      },
      { kind: 'heading', level: 2, text: 'Priser', location: { url: 'https://example.se/frakt?x=1#priser' } },
      {
        kind: 'table',
        text: 'Vikt | Pris\nUnder 5 kg | 49 kr\nÖver 5 kg | 99 kr',
        location: { url: 'https://example.se/frakt?x=1#priser' },
      },
      {
        kind: 'heading',
        level: 2,
        text: 'Villkor',
        location: { url: 'https://example.se/frakt?x=1#villkor' },
      },
      {
        kind: 'list',
        text: '- Fri frakt över 500 kr\n- Spårning ingår\n  - via sms',
        location: { url: 'https://example.se/frakt?x=1#villkor' },
      },
      { kind: 'code', text: 'Ordernummer: 1234', location: { url: 'https://example.se/frakt?x=1#villkor' } },
    ]);
  });

  it('never puts script or style text in a block, even on a page full of scripts', async () => {
    const scripts = Array.from(
      { length: 200 },
      (_, index) => `<script>var s${index} = "skript ${index}";</script>`,
    );
    const page = `<html><head>${scripts.join('')}<style>p { color: red }</style></head><body>${scripts.join('')}<p>Välkommen till vår butik i Umeå, öppet alla dagar.</p><script type="module">import x from "y"</script></body></html>`;
    const document = await parseDocument({ bytes: encoder.encode(page), name: 'skript.html' });
    const allText = document.blocks.map((block) => block.text).join('\n');
    expect(allText).toBe('Välkommen till vår butik i Umeå, öppet alla dagar.');
    expect(document.title).toBe('skript');
  });

  it("keeps the header and aside of the main content but drops the page's own, and cookie banners", async () => {
    const page = `<html><body>
      <header><h1>Möbelhuset</h1></header>
      <aside>Kampanj: halva priset på soffor!</aside>
      <div id="cookie-consent"><p>Vi använder kakor för att sajten ska fungera.</p></div>
      <div role="navigation"><a href="/">Hem</a></div>
      <main><article><header><h1>Soffan Björk</h1></header><p>En rymlig soffa i ull.</p><aside>Tips: mät dörren först.</aside></article></main>
    </body></html>`;
    const document = await parseDocument({ bytes: encoder.encode(page), name: 'soffa.html' });
    expect(document.blocks.map((block) => block.text)).toEqual([
      'Soffan Björk',
      'En rymlig soffa i ull.',
      'Tips: mät dörren först.',
    ]);
  });

  it('reads a Windows-1252 page and takes the first heading as title when there is no <title>', async () => {
    const page = '<html><body><h1>Öppettider</h1><p>Vi har öppet måndag till fredag.</p></body></html>';
    const document = await parseDocument({ bytes: windows1252(page), name: 'oppettider.htm' });
    expect(document.title).toBe('Öppettider');
    expect(document.blocks[1]?.text).toBe('Vi har öppet måndag till fredag.');
    expect(document.blocks[1]?.location).toEqual({});
  });

  it('says which page has no visible text', async () => {
    const page =
      '<html><head><script>alert(1)</script></head><body><nav>Meny</nav><script>x()</script></body></html>';
    const error = await parseDocument({ bytes: encoder.encode(page), name: 'tom.html' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(PolettError);
    expect(error).toMatchObject({ code: 'empty_document' });
    expect((error as PolettError).messageIn('sv')).toContain('"tom.html" innehåller ingen text');
  });
});
