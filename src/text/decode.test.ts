import { describe, expect, it } from 'vitest';
import {
  createStreamingDecoder,
  decodeMixedLines,
  decodeText,
  detectEncoding,
  ENCODING_SAMPLE_BYTES,
  looksBinary,
} from './decode.js';

const SWEDISH = 'Räksmörgås på Åre, Älvsjö och Öland: 12 öre styck.';

const encodings: [string, Uint8Array, string][] = [
  ['UTF-8', new TextEncoder().encode(SWEDISH), 'utf-8'],
  ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SWEDISH)]), 'utf-8'],
  [
    'UTF-16 LE with BOM',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SWEDISH, 'utf16le')]),
    'utf-16le',
  ],
  ['UTF-16 LE without BOM', Buffer.from(SWEDISH, 'utf16le'), 'utf-16le'],
  [
    'UTF-16 BE with BOM',
    Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(SWEDISH, 'utf16le').swap16()]),
    'utf-16be',
  ],
  ['UTF-16 BE without BOM', Buffer.from(SWEDISH, 'utf16le').swap16(), 'utf-16be'],
  ['Windows-1252', Buffer.from(SWEDISH, 'latin1'), 'windows-1252'],
];

describe('decodeText', () => {
  it.each(encodings)('reads %s with å, ä and ö intact and the BOM removed', (_label, bytes, encoding) => {
    expect(decodeText(bytes)).toEqual({ text: SWEDISH, encoding });
  });

  it('reads Windows-1252 whose first non-ASCII byte comes after the detection sample', () => {
    const ascii = 'a'.repeat(ENCODING_SAMPLE_BYTES + 10);
    const bytes = Buffer.concat([Buffer.from(ascii), Buffer.from(' Smörgås', 'latin1')]);
    const decoded = decodeText(bytes);
    expect(decoded.encoding).toBe('windows-1252');
    expect(decoded.text.endsWith(' Smörgås')).toBe(true);
  });

  it('reads Windows-1252 characters outside Latin-1 (euro sign, curly quotes)', () => {
    expect(decodeText(new Uint8Array([0x80, 0x20, 0x93, 0xe5, 0x94])).text).toBe('€ “å”');
  });
});

describe('detectEncoding', () => {
  it('allows a sample that ends inside a multi-byte character, unless the sample is the whole file', () => {
    const bytes = new TextEncoder().encode('Köp å');
    const cut = bytes.subarray(0, bytes.length - 1);
    expect(detectEncoding(cut).encoding).toBe('utf-8');
    expect(detectEncoding(cut, true).encoding).toBe('windows-1252');
  });
});

describe('decodeMixedLines', () => {
  it('reads each line in the encoding it was written in', () => {
    const bytes = Buffer.concat([
      Buffer.from('Första raden: å\n'),
      Buffer.from('Andra raden: ö\n', 'latin1'),
    ]);
    expect(decodeMixedLines(bytes).text).toBe('Första raden: å\nAndra raden: ö\n');
  });
});

describe('looksBinary', () => {
  it('tells binary data from text in any of the encodings', () => {
    for (const [, bytes] of encodings) expect(looksBinary(bytes)).toBe(false);
    expect(looksBinary(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]))).toBe(
      true,
    );
    expect(looksBinary(new Uint8Array(Array.from({ length: 100 }, (_, index) => (index % 7) + 1)))).toBe(
      true,
    );
  });
});

describe('createStreamingDecoder', () => {
  it('decodes chunks split inside a BOM and inside characters', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SWEDISH)]);
    const decoder = createStreamingDecoder(bytes.subarray(0, 2));
    let text = '';
    for (let offset = 0; offset < bytes.length; offset += 2) {
      const last = offset + 2 >= bytes.length;
      text += decoder.decode(bytes.subarray(offset, offset + 2), { last });
    }
    expect(text).toBe(SWEDISH);
  });
});
