import { useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  decodeAttention,
  getAttention,
  getAttentionModels,
  getTokenizers,
  tokenize,
  type AttentionModels,
  type AttentionResponse,
  type ModelCostDto,
  type TokenizedText,
  type TokenizerInfo,
  type TokenPieceDto,
} from '../api/learn.ts';
import { Alert } from '../components/form-field.tsx';
import { InlineCode } from '../components/inline-code.tsx';
import { useLocale } from '../i18n/locale-context.tsx';
import { useSignedIn } from '../session.tsx';

/** The most tokens the server runs through the model at once (src/learn/attention.ts). */
const MAX_ATTENTION_TOKENS = 64;

/**
 * Light backgrounds that keep dark text readable (WCAG AA), different enough from their
 * neighbours that each token stands out from the next.
 */
const TOKEN_COLOURS = ['#fde68a', '#bfdbfe', '#bbf7d0', '#fecaca', '#ddd6fe', '#fed7aa'];

const errorText = (caught: unknown) => (caught instanceof Error ? caught.message : String(caught));

/** A token's text for prose: whitespace made visible, never empty. */
function tokenLabel(token: TokenPieceDto): string {
  return token.display.length > 0 ? token.display : `#${token.id}`;
}

function TokenStrip({ result, language }: { result: TokenizedText; language: 'sv' | 'en' }) {
  const { t } = useLocale();
  return (
    <ol
      className="token-strip"
      aria-label={t('learn.tokens.listLabel', {
        tokenizer: result.label,
        language: t(language === 'sv' ? 'learn.tokens.languageSwedish' : 'learn.tokens.languageEnglish'),
      })}
      style={{
        listStyle: 'none',
        display: 'flex',
        flexWrap: 'wrap',
        gap: '2px',
        padding: 0,
        margin: '0.25rem 0',
      }}
    >
      {result.tokens.map((token, index) => (
        <li
          key={index}
          title={
            t('learn.tokens.tokenTitle', { id: token.id, bytes: token.bytes }) +
            (token.partOf ? `, ${t('learn.tokens.partOf', { character: token.partOf })}` : '')
          }
          style={{
            background: TOKEN_COLOURS[index % TOKEN_COLOURS.length],
            color: '#1a1a1a',
            padding: '1px 4px',
            borderRadius: '3px',
            fontFamily: 'ui-monospace, monospace',
            whiteSpace: 'pre',
            outline: token.complete ? undefined : '1px dashed #7c2d12',
          }}
        >
          {tokenLabel(token)}
          {token.partOf ? (
            <span className="visually-hidden">
              {' '}
              ({t('learn.tokens.partOf', { character: token.partOf })})
            </span>
          ) : null}
          <sub style={{ marginLeft: '2px', fontSize: '0.7em' }}>{token.id}</sub>
        </li>
      ))}
    </ol>
  );
}

function CostTable({ costs }: { costs: ModelCostDto[] }) {
  const { t, formatNumber } = useLocale();
  if (costs.length === 0) return <p>{t('learn.costs.none')}</p>;
  const share = (fraction: number) =>
    formatNumber(fraction, { style: 'percent', maximumSignificantDigits: 2 });
  // A sentence costs millionths of a dollar: significant digits, not a fixed number of decimals.
  const money = (value: number, currency: string) =>
    formatNumber(value, { style: 'currency', currency, maximumSignificantDigits: 3 });
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('learn.costs.columnModel')}</th>
          <th scope="col">{t('learn.costs.columnTokens')}</th>
          <th scope="col">{t('learn.costs.columnCost')}</th>
          <th scope="col">{t('learn.costs.columnPerThousand')}</th>
          <th scope="col">{t('learn.costs.columnWindow')}</th>
        </tr>
      </thead>
      <tbody>
        {costs.map((cost) => (
          <tr key={cost.alias}>
            <th scope="row">
              <code>{cost.alias}</code> <span className="muted">({cost.model})</span>
            </th>
            <td>
              {formatNumber(cost.tokenCount)} <span className="muted">({cost.tokenizer})</span>
              {cost.estimated ? <div className="hint">{t('learn.costs.estimated')}</div> : null}
            </td>
            <td>
              {cost.inputCost === null || cost.currency === null
                ? t('learn.costs.noPrice')
                : money(cost.inputCost, cost.currency)}
            </td>
            <td>
              {cost.inputCost === null || cost.currency === null
                ? '–'
                : money(cost.inputCost * 1000, cost.currency)}
            </td>
            <td>
              {cost.contextFill === null || cost.contextWindow === null
                ? t('learn.costs.unknownWindow')
                : t('learn.costs.windowOf', {
                    share: share(cost.contextFill),
                    window: formatNumber(cost.contextWindow),
                  })}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TokensSection() {
  const { t, locale, formatNumber } = useLocale();
  const { workspaceId } = useSignedIn();
  const [tokenizers, setTokenizers] = useState<TokenizerInfo[]>();
  const [chosen, setChosen] = useState<string[]>([]);
  const [swedish, setSwedish] = useState(() => t('learn.tokens.exampleSwedish'));
  const [english, setEnglish] = useState(() => t('learn.tokens.exampleEnglish'));
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string>();
  const [results, setResults] = useState<{
    swedish: TokenizedText[];
    english: TokenizedText[];
    costs: ModelCostDto[];
  }>();

  useEffect(() => {
    getTokenizers(workspaceId)
      .then((list) => {
        setTokenizers(list.tokenizers);
        setChosen(list.tokenizers.map((tokenizer) => tokenizer.name));
      })
      .catch((caught: unknown) => setError(errorText(caught)));
  }, [workspaceId]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (chosen.length === 0) {
      setError(t('learn.tokens.chooseOne'));
      return;
    }
    setWorking(true);
    setError(undefined);
    try {
      const swedishResult = await tokenize(workspaceId, swedish, chosen);
      const englishResult = await tokenize(workspaceId, english, chosen);
      setResults({
        swedish: swedishResult.results,
        english: englishResult.results,
        costs: swedishResult.costs,
      });
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setWorking(false);
    }
  };

  const toggle = (name: string, on: boolean) =>
    setChosen((current) => (on ? [...current, name] : current.filter((entry) => entry !== name)));

  return (
    <section className="card" aria-labelledby="learn-tokens-heading">
      <h2 id="learn-tokens-heading">{t('learn.tokens.title')}</h2>
      <form onSubmit={(event) => void submit(event)} className="grid-form">
        <div className="field">
          <label htmlFor="learn-swedish">{t('learn.tokens.swedishText')}</label>
          <textarea
            id="learn-swedish"
            name="swedish"
            rows={3}
            required
            maxLength={20000}
            style={{ width: '100%' }}
            value={swedish}
            lang="sv"
            onChange={(event) => setSwedish(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="learn-english">{t('learn.tokens.englishText')}</label>
          <textarea
            id="learn-english"
            name="english"
            rows={3}
            required
            maxLength={20000}
            style={{ width: '100%' }}
            value={english}
            lang="en"
            onChange={(event) => setEnglish(event.target.value)}
          />
        </div>
        {tokenizers ? (
          <fieldset>
            <legend>{t('learn.tokens.tokenizers')}</legend>
            {tokenizers.map((tokenizer) => (
              <div key={tokenizer.name}>
                <label>
                  <input
                    type="checkbox"
                    name="tokenizer"
                    value={tokenizer.name}
                    checked={chosen.includes(tokenizer.name)}
                    onChange={(event) => toggle(tokenizer.name, event.target.checked)}
                  />{' '}
                  {tokenizer.label}{' '}
                  <span className="muted">
                    ({t('learn.tokens.usedBy', { models: tokenizer.usedBy[locale] })})
                  </span>
                </label>
              </div>
            ))}
          </fieldset>
        ) : null}
        <div className="actions">
          <button type="submit" disabled={working || tokenizers === undefined}>
            {working ? t('learn.tokens.working') : t('learn.tokens.submit')}
          </button>
        </div>
      </form>
      {error ? <Alert kind="error">{error}</Alert> : null}
      {results ? (
        <>
          <table>
            <caption>{t('learn.tokens.comparisonCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('learn.tokens.columnTokenizer')}</th>
                <th scope="col">{t('learn.tokens.columnSwedish')}</th>
                <th scope="col">{t('learn.tokens.columnEnglish')}</th>
                <th scope="col">{t('learn.tokens.columnRatio')}</th>
              </tr>
            </thead>
            <tbody>
              {results.swedish.map((result, index) => {
                const englishCount = results.english[index]?.tokenCount ?? 0;
                return (
                  <tr key={result.tokenizer}>
                    <th scope="row">{result.label}</th>
                    <td>{formatNumber(result.tokenCount)}</td>
                    <td>{formatNumber(englishCount)}</td>
                    <td>
                      {englishCount === 0
                        ? '–'
                        : formatNumber(result.tokenCount / englishCount, { maximumFractionDigits: 2 })}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p className="hint">{t('learn.tokens.partial')}</p>
          {results.swedish.map((result, index) => {
            const englishResult = results.english[index];
            return (
              <div key={result.tokenizer} className="subsection">
                <h3>{result.label}</h3>
                <p className="muted">
                  {t('learn.tokens.count', {
                    count: formatNumber(result.tokenCount),
                    characters: formatNumber(result.characterCount),
                  })}
                </p>
                <TokenStrip result={result} language="sv" />
                {englishResult ? (
                  <>
                    <p className="muted">
                      {t('learn.tokens.count', {
                        count: formatNumber(englishResult.tokenCount),
                        characters: formatNumber(englishResult.characterCount),
                      })}
                    </p>
                    <TokenStrip result={englishResult} language="en" />
                  </>
                ) : null}
              </div>
            );
          })}
          <h3>{t('learn.costs.title')}</h3>
          <p>{t('learn.costs.intro')}</p>
          <CostTable costs={results.costs} />
        </>
      ) : null}
    </section>
  );
}

function ExplanationsSection() {
  const { t } = useLocale();
  const parts = [
    ['learn.explain.tokenTitle', 'learn.explain.token'],
    ['learn.explain.embeddingTitle', 'learn.explain.embedding'],
    ['learn.explain.attentionTitle', 'learn.explain.attention'],
    ['learn.explain.parallelTitle', 'learn.explain.parallel'],
    ['learn.explain.costTitle', 'learn.explain.cost'],
  ] as const;
  return (
    <section className="card" aria-labelledby="learn-explain-heading">
      <h2 id="learn-explain-heading">{t('learn.explain.title')}</h2>
      {parts.map(([title, text]) => (
        <div key={title}>
          <h3>{t(title)}</h3>
          <p>{t(text)}</p>
        </div>
      ))}
    </section>
  );
}

/** The heatmap of one head: an SVG for the eye, with the text alternative beside it. */
function AttentionHeatmap({
  weights,
  tokens,
  selected,
  onSelect,
  label,
}: {
  weights: Float32Array;
  tokens: TokenPieceDto[];
  selected: number;
  onSelect: (row: number) => void;
  label: string;
}) {
  const count = tokens.length;
  const cell = Math.max(6, Math.min(18, Math.floor(540 / count)));
  const size = cell * count;
  // Each row is labelled with its token on the left, where the eye starts reading a row.
  const labelWidth = 96;
  const fontSize = Math.min(cell - 1, 12);
  const cells = [];
  for (let row = 0; row < count; row += 1) {
    for (let column = 0; column <= row; column += 1) {
      const weight = weights[row * count + column] ?? 0;
      cells.push(
        <rect
          key={`${row}-${column}`}
          x={column * cell}
          y={row * cell}
          width={cell}
          height={cell}
          fill={`rgba(30, 64, 175, ${Math.sqrt(weight).toFixed(3)})`}
          onClick={() => onSelect(row)}
        />,
      );
    }
  }
  return (
    <figure style={{ margin: '0.5rem 0' }}>
      <svg
        role="img"
        aria-label={label}
        width={size + labelWidth + 2}
        height={size + 2}
        viewBox={`${-labelWidth - 1} -1 ${size + labelWidth + 2} ${size + 2}`}
        style={{ background: '#fff', cursor: 'pointer' }}
      >
        {tokens.map((token, row) => (
          <text
            key={row}
            x={-4}
            y={row * cell + cell / 2}
            textAnchor="end"
            dominantBaseline="middle"
            fontSize={fontSize}
            fontFamily="ui-monospace, monospace"
            fill={row === selected ? '#b45309' : '#1a1a1a'}
            onClick={() => onSelect(row)}
          >
            {tokenLabel(token).slice(0, 12)}
          </text>
        ))}
        <rect x={0} y={0} width={size} height={size} fill="none" stroke="#94a3b8" />
        {cells}
        <rect
          x={0}
          y={selected * cell}
          width={size}
          height={cell}
          fill="none"
          stroke="#b45309"
          strokeWidth={1.5}
        />
      </svg>
      <figcaption className="hint">{label}</figcaption>
    </figure>
  );
}

function AttentionSection() {
  const { t, formatNumber } = useLocale();
  const { workspaceId } = useSignedIn();
  const [models, setModels] = useState<AttentionModels>();
  const [model, setModel] = useState<string>();
  const [text, setText] = useState(() => t('learn.attention.example'));
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<AttentionResponse>();
  const [layer, setLayer] = useState(0);
  const [head, setHead] = useState(0);
  const [selected, setSelected] = useState(0);

  useEffect(() => {
    getAttentionModels(workspaceId)
      .then((list) => {
        setModels(list);
        setModel(list.models.find((entry) => entry.runnable)?.alias);
      })
      .catch((caught: unknown) => setError(errorText(caught)));
  }, [workspaceId]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setWorking(true);
    setError(undefined);
    try {
      const answer = await getAttention(workspaceId, text, model);
      setResult(answer);
      setLayer(0);
      setHead(0);
      setSelected(answer.tokens.length - 1);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setWorking(false);
    }
  };

  const weights = useMemo(() => {
    const encoded = result?.attention[layer]?.[head];
    return encoded === undefined || result === undefined
      ? undefined
      : decodeAttention(encoded, result.tokens.length);
  }, [result, layer, head]);

  // Significant digits: a random tiny model spreads its guesses thin (0.002 %), a real one does not.
  const percent = (value: number) =>
    formatNumber(value, { style: 'percent', maximumSignificantDigits: value >= 0.1 ? 3 : 2 });
  const runnable = models?.models.filter((entry) => entry.runnable) ?? [];

  const looked = useMemo(() => {
    if (!result || !weights) return [];
    const count = result.tokens.length;
    return Array.from({ length: selected + 1 }, (_, column) => ({
      column,
      weight: weights[selected * count + column] ?? 0,
    }))
      .sort((left, right) => right.weight - left.weight)
      .slice(0, 5);
  }, [result, weights, selected]);

  return (
    <section className="card" aria-labelledby="learn-attention-heading">
      <h2 id="learn-attention-heading">{t('learn.attention.title')}</h2>
      <p>{t('learn.attention.intro', { max: MAX_ATTENTION_TOKENS })}</p>
      {models && runnable.length === 0 ? (
        <Alert kind="info">
          <InlineCode
            text={t('learn.attention.noModel', {
              parameters: models.suggested.parameters,
              size: formatNumber(models.suggested.approximateSizeMegabytes),
              command: models.suggested.pullCommand,
              reference: models.suggested.reference,
            })}
          />
        </Alert>
      ) : null}
      {models && models.models.some((entry) => !entry.runnable) ? (
        <ul className="hint">
          {models.models
            .filter((entry) => !entry.runnable)
            .map((entry) => (
              <li key={entry.alias}>
                <code>{entry.alias}</code>: <InlineCode text={entry.problem ?? ''} />
              </li>
            ))}
        </ul>
      ) : null}
      {runnable.length > 0 ? (
        <form onSubmit={(event) => void submit(event)} className="grid-form">
          <div className="field">
            <label htmlFor="learn-attention-text">{t('learn.attention.text')}</label>
            <textarea
              id="learn-attention-text"
              name="attentionText"
              rows={2}
              required
              maxLength={2000}
              style={{ width: '100%' }}
              value={text}
              aria-describedby="learn-attention-text-hint"
              onChange={(event) => setText(event.target.value)}
            />
            <p className="hint" id="learn-attention-text-hint">
              {t('learn.attention.exampleHint')}
            </p>
          </div>
          <div className="field">
            <label htmlFor="learn-attention-model">{t('learn.attention.model')}</label>
            <select
              id="learn-attention-model"
              value={model}
              onChange={(event) => setModel(event.target.value)}
            >
              {runnable.map((entry) => (
                <option key={entry.alias} value={entry.alias}>
                  {entry.alias}
                </option>
              ))}
            </select>
          </div>
          <div className="actions">
            <button type="submit" disabled={working}>
              {working ? t('learn.attention.working') : t('learn.attention.submit')}
            </button>
          </div>
        </form>
      ) : null}
      {error ? (
        <Alert kind="error">
          <InlineCode text={error} />
        </Alert>
      ) : null}
      {result && weights ? (
        <div className="subsection">
          <p>
            {t('learn.attention.summary', {
              model: result.model,
              architecture: result.shape.architecture,
              layers: result.shape.layerCount,
              heads: result.shape.headCount,
              count: result.tokens.length,
              milliseconds: formatNumber(result.milliseconds),
            })}
          </p>
          {result.truncated ? (
            <Alert kind="info">{t('learn.attention.truncated', { max: MAX_ATTENTION_TOKENS })}</Alert>
          ) : null}
          <div className="inline-form" style={{ display: 'flex', gap: '1rem', flexWrap: 'wrap' }}>
            <div className="field">
              <label htmlFor="learn-layer">{t('learn.attention.layer')}</label>
              <select
                id="learn-layer"
                value={layer}
                onChange={(event) => setLayer(Number(event.target.value))}
              >
                {Array.from({ length: result.shape.layerCount }, (_, index) => (
                  <option key={index} value={index}>
                    {index + 1}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="learn-head">{t('learn.attention.head')}</label>
              <select id="learn-head" value={head} onChange={(event) => setHead(Number(event.target.value))}>
                {Array.from({ length: result.shape.headCount }, (_, index) => (
                  <option key={index} value={index}>
                    {index + 1}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <AttentionHeatmap
            weights={weights}
            tokens={result.tokens}
            selected={selected}
            onSelect={setSelected}
            label={t('learn.attention.heatmapLabel', { layer: layer + 1, head: head + 1 })}
          />
          <fieldset>
            <legend>{t('learn.attention.chooseToken')}</legend>
            <div style={{ display: 'flex', flexWrap: 'wrap', gap: '2px' }}>
              {result.tokens.map((token, index) => (
                <button
                  key={index}
                  type="button"
                  className="secondary small"
                  aria-pressed={index === selected}
                  onClick={() => setSelected(index)}
                  style={{ fontFamily: 'ui-monospace, monospace', whiteSpace: 'pre' }}
                >
                  {tokenLabel(token)}
                </button>
              ))}
            </div>
          </fieldset>
          <div aria-live="polite">
            <p>{t('learn.attention.looksAt', { token: tokenLabel(result.tokens[selected]!) })}</p>
            <ol>
              {looked.map((entry) => (
                <li key={entry.column}>
                  {t('learn.attention.lookEntry', {
                    token: tokenLabel(result.tokens[entry.column]!),
                    position: entry.column + 1,
                    share: percent(entry.weight),
                  })}
                </li>
              ))}
            </ol>
          </div>
          <h3>{t('learn.attention.nextTitle')}</h3>
          <ol>
            {result.next.map((entry, index) => (
              <li key={index}>
                <span style={{ fontFamily: 'ui-monospace, monospace', whiteSpace: 'pre' }}>
                  {t('learn.attention.nextEntry', {
                    token: tokenLabel(entry.token),
                    share: percent(entry.probability),
                  })}
                </span>{' '}
                <span
                  aria-hidden="true"
                  style={{
                    display: 'inline-block',
                    height: '0.6em',
                    width: `${Math.max(1, entry.probability * 200)}px`,
                    background: '#1e40af',
                  }}
                />
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </section>
  );
}

/** Learn: tokens and self-attention, made visible on the user's own text. */
export function LearnPage() {
  const { t } = useLocale();
  return (
    <>
      <h1>{t('learn.title')}</h1>
      <p>{t('learn.intro')}</p>
      <TokensSection />
      <AttentionSection />
      <ExplanationsSection />
    </>
  );
}
