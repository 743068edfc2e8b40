/** Insights: what customers feel and talk about. The public face of the capability. */
export {
  evaluateClassifier,
  readLabelledFile,
  type EvaluationInput,
  type EvaluationReport,
  type LabelledFile,
  type LabelledFileOptions,
} from './classifier-evaluation.js';
export { scoreClassification, type ClassificationScores } from './classification-metrics.js';
export { stratifiedSplit } from './stratified-split.js';
export {
  TextClassifier,
  type ClassifierKind,
  type LabelledText,
  type Prediction,
  type SerialisedTextClassifier,
} from './text-classifier.js';
export { analyseText, extractFeatures } from './text-features.js';
export { ColumnMapping, ColumnRole, detectColumns } from './import/column-detection.js';
export { decideNumericDateOrder, parseFeedbackDate, type NumericDateOrder } from './import/date-parsing.js';
export { findLabelTypos, type LabelTypo } from './import/label-typos.js';
export {
  previewRecords,
  readRecords,
  sniffFile,
  type FeedbackFileFormat,
  type FileSniff,
  type SourceRecord,
} from './import/record-reader.js';
export {
  analyzeJobHandler,
  AnalyzeJobInput,
  importJobHandler,
  ImportJobInput,
  INSIGHTS_ANALYZE_JOB,
  INSIGHTS_IMPORT_JOB,
  insightsJobHandlers,
  loadClassifier,
} from './insights-jobs.js';
export {
  InsightsScope,
  openInsightsStore,
  type AnalysisResult,
  type FeedbackRecord,
  type ImportRecord,
} from './feedback-store.js';
export { importFeedbackFile, type ImportProblem, type ImportReport } from './import/feedback-import.js';
export { AspectDefinition, DEFAULT_ASPECTS, compileAspects, findAspects } from './analysis/aspects.js';
export {
  LEXICON_MODEL,
  lexiconSentiment,
  type SentimentLabel,
  type SentimentScore,
} from './analysis/lexicon-sentiment.js';
export { renderHtmlReport, renderMarkdownReport, summariseInsights, type InsightsSummary } from './report.js';
export {
  alertWebhookJobHandler,
  alertWebhookMissing,
  checkAlertWebhookAddress,
  checkForSpikes,
  INSIGHTS_ALERT_WEBHOOK_JOB,
  sendTestAlert,
} from './alerts.js';
export {
  comparePeriods,
  detectSpikes,
  timeSeries,
  type Bucket,
  type FeedbackFilters,
  type GroupBy,
  type Mover,
  type TrendPoint,
} from './trends.js';
export {
  EXPORT_COLUMNS,
  exportCsv,
  exportXlsx,
  iterateAnalysedRows,
  listAnalysedRows,
  type AnalysedRow,
} from './analysed-rows.js';
export { filterClauses } from './trends.js';
export { toFeedbackRow } from './import/feedback-import.js';
export {
  FeedbackItem,
  FeedbackPushRequest,
  INBOUND_TOLERANCE_SECONDS,
  pushFeedback,
  verifyInboundSignature,
  type FeedbackPushResult,
} from './feedback-push.js';
