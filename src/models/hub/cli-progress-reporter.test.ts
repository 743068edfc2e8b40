import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCliProgressReporter } from './cli-progress-reporter.js';

describe('createCliProgressReporter', () => {
  it('draws one bar over all files, naming the file being fetched', () => {
    const stream = new PassThrough();
    let output = '';
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const reporter = createCliProgressReporter({ stream, locale: 'sv' });
    const base = { fileCount: 2, bytesTotal: 3_000_000, fileBytesTotal: 1_000_000 };
    reporter.onProgress({
      ...base,
      phase: 'download',
      file: 'config.json',
      fileIndex: 0,
      fileBytesDone: 0,
      bytesDone: 0,
    });
    reporter.onProgress({
      ...base,
      phase: 'done',
      file: 'config.json',
      fileIndex: 0,
      fileBytesDone: 1_000_000,
      bytesDone: 1_000_000,
    });
    reporter.onProgress({
      ...base,
      phase: 'done',
      file: 'onnx/model.onnx',
      fileIndex: 1,
      fileBytesDone: 2_000_000,
      bytesDone: 3_000_000,
    });
    reporter.stop();
    reporter.stop();

    expect(output).toContain('3.00 MB / 3.00 MB');
    expect(output).toContain('klar onnx/model.onnx (2/2)');
  });
});
