import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { Chart, ChartConfiguration } from 'chart.js';
import { useLocale } from '../../i18n/locale-context.tsx';

/**
 * A Chart.js chart on a canvas, loaded with a dynamic import so that the rest of the app's bundle
 * does not carry the chart library. The canvas is an image with a label for screen readers, and
 * the same numbers are always there as a table (`table`) under a disclosure; a click on a bar or
 * point calls `onSelect` with its indices (the drill-down), and the PNG button saves the chart.
 */
export function ChartCanvas({
  config,
  label,
  fileName,
  table,
  onSelect,
}: {
  config: ChartConfiguration;
  label: string;
  fileName: string;
  table: ReactNode;
  onSelect?: (selection: { index: number; datasetIndex: number }) => void;
}) {
  const { t } = useLocale();
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart | null>(null);
  const [ready, setReady] = useState(false);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;

  useEffect(() => {
    let cancelled = false;
    void import('chart.js').then(({ Chart: ChartClass, registerables }) => {
      if (cancelled || !canvas.current) return;
      ChartClass.register(...registerables);
      chart.current?.destroy();
      chart.current = new ChartClass(canvas.current, {
        ...config,
        options: {
          ...config.options,
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          onClick: (_event, elements) => {
            const [first] = elements;
            if (first) onSelectRef.current?.({ index: first.index, datasetIndex: first.datasetIndex });
          },
        },
      });
      setReady(true);
    });
    return () => {
      cancelled = true;
      chart.current?.destroy();
      chart.current = null;
    };
  }, [config]);

  const savePng = () => {
    if (!chart.current) return;
    const link = document.createElement('a');
    link.href = chart.current.toBase64Image('image/png', 1);
    link.download = fileName;
    link.click();
  };

  return (
    <figure className="insights-chart">
      <figcaption>{label}</figcaption>
      <div style={{ position: 'relative', height: '16rem' }}>
        <canvas ref={canvas} role="img" aria-label={label} />
      </div>
      {ready ? null : <p className="muted">{t('insights.chart.loading')}</p>}
      <button type="button" onClick={savePng} disabled={!ready}>
        {t('insights.chart.png')}
      </button>
      <details>
        <summary>{t('insights.chart.table')}</summary>
        {table}
      </details>
    </figure>
  );
}
