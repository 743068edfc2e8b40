/**
 * The Learn page in Chromium against the real server: a new user compares the tokens of a
 * Swedish and an English sentence across tokenizers (the tiny local model's own among them),
 * sees the cost per model, and with the tiny GGUF model configured, its attention heatmap per
 * layer and head. Without a local model the page names the catalogue model and the pull command.
 * axe-core on each state.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_MODELS_DIR } from '../../test-support/paths.js';
import { TINY_GGUF_BPE_MODEL } from '../../test-support/tiny-gguf.js';
import {
  accessibilityProblems,
  chromiumMissing,
  screenshot,
  startSignedInBrowser,
  type SignedInBrowser,
} from './support/browser.js';

describe.skipIf(chromiumMissing)('the Learn page in Chromium', () => {
  let signedIn: SignedInBrowser;

  beforeAll(async () => {
    signedIn = await startSignedInBrowser({
      providers: {
        local: { type: 'local-gguf', contextSize: 2048 },
        openai: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:9/v1' },
      },
      models: {
        tiny: { provider: 'local', model: path.join(TEST_MODELS_DIR, TINY_GGUF_BPE_MODEL) },
        gpt: {
          provider: 'openai',
          model: 'gpt-4o-mini',
          contextWindow: 128000,
          price: { inputPerMillion: 0.15, outputPerMillion: 0.6, currency: 'USD' },
        },
      },
      tasks: { chat: ['tiny', 'gpt'] },
    });
  }, 180_000);

  afterAll(async () => {
    await signedIn?.close();
  });

  it('compares Swedish and English tokens across tokenizers, with cost per model', async () => {
    const { page, server } = signedIn;
    await page.goto(`${server.url}/learn`);
    await page.getByRole('heading', { level: 1, name: 'Lär dig: token och uppmärksamhet' }).waitFor();
    await page.getByRole('checkbox', { name: /Google Gemma 3/ }).waitFor();
    await page.getByRole('button', { name: 'Dela upp i token' }).click();
    const table = page.getByRole('table', { name: 'Antal token för samma mening på svenska och engelska' });
    await table.waitFor({ timeout: 60_000 });
    const rows = await table
      .locator('tbody tr')
      .evaluateAll((elements) =>
        elements.map((row) => Array.from(row.children, (cell) => cell.textContent ?? '')),
      );
    expect(rows.map((row) => row[0])).toEqual([
      'OpenAI o200k_base',
      'OpenAI cl100k_base',
      'Meta Llama 3',
      'Qwen 3',
      'Google Gemma 3',
      'tiny',
    ]);
    for (const [label, swedish, english] of rows) {
      const count = (text: string | undefined) => Number((text ?? '').replace(/\D/g, ''));
      expect(count(swedish), label).toBeGreaterThan(count(english));
    }
    // Each token is its own list item, coloured, with whitespace made visible.
    const o200kTokens = page.getByRole('list', { name: 'OpenAI o200k_base: token i den svenska text' });
    expect(await o200kTokens.getByRole('listitem').count()).toBe(Number(rows[0]![1]!.replace(/\D/g, '')));
    await expect(o200kTokens.getByRole('listitem').nth(1).textContent()).resolves.toMatch(/^␣/);
    // The priced model gets a cost; the local model its own tokenizer and context size.
    const gptRow = page.getByRole('row', { name: /gpt \(gpt-4o-mini\)/ });
    await expect(gptRow.textContent()).resolves.toMatch(/US\$|USD|\$/);
    await expect(page.getByRole('row', { name: /tiny/ }).last().textContent()).resolves.toMatch(
      /av 2\s048 token/,
    );
    await screenshot(page, 'learn-tokens');
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 120_000);

  it('draws the attention heatmap with layer and head pickers and a text alternative', async () => {
    const { page } = signedIn;
    await page.getByLabel('Text', { exact: true }).fill('Hej! Vi säljer smörgåsar.');
    await page.getByRole('button', { name: 'Visa uppmärksamheten' }).click();
    const heatmap = page.getByRole('img', { name: /Värmekarta för lager 1, huvud 1/ });
    await heatmap.waitFor({ timeout: 60_000 });
    await page.getByLabel('Lager', { exact: true }).selectOption('2');
    await page.getByLabel('Huvud', { exact: true }).selectOption('3');
    await page.getByRole('img', { name: /Värmekarta för lager 2, huvud 3/ }).waitFor();
    // The text alternative: which earlier words the chosen word looks at, with shares.
    await page.getByRole('button', { name: 'Vi', exact: false }).first().click();
    const looks = page.getByText(/tittar mest på:/);
    await looks.waitFor();
    const entries = await page.locator('[aria-live="polite"] li').allTextContents();
    expect(entries.length).toBeGreaterThan(0);
    expect(entries[0]).toMatch(/plats \d+\): \d/);
    await page.getByRole('heading', { name: 'Mest sannolika nästa token' }).waitFor();
    await screenshot(page, 'learn-attention');
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 120_000);
});

describe.skipIf(chromiumMissing)('the Learn page without a local model', () => {
  it('names the catalogue model and the pull command', async () => {
    const signedIn = await startSignedInBrowser({});
    try {
      const { page, server } = signedIn;
      await page.goto(`${server.url}/learn`);
      const message = page.getByText(/Det finns ingen lokal GGUF-modell/);
      await message.waitFor();
      await expect(message.textContent()).resolves.toContain(
        'polett models pull bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q8_0.gguf',
      );
      expect(await accessibilityProblems(page)).toEqual([]);
    } finally {
      await signedIn.close();
    }
  }, 180_000);
});
