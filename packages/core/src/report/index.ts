export { escapeHtml } from './escape-html.js';
export { compareText, toJsonValue, type JsonValue } from './json-value.js';
export { HTML_ROUND_TRIP_LIMIT, renderReportHtml, toReportHtml } from './report-html.js';
export {
  REPORT_SCHEMA_VERSION,
  toReportJson,
  type ReportBalance,
  type ReportDataSource,
  type ReportEquityPoint,
  type ReportFill,
  type ReportJson,
  type ReportMetrics,
  type ReportOpenPosition,
  type ReportOrder,
  type ReportRoundTrip,
  type ReportRun,
  type ReportStrategy,
} from './report-json.js';
export { chartDate, svgLineChart, type ChartPoint, type SvgLineChartOptions } from './svg-chart.js';
export { TRADES_CSV_COLUMNS, csvField, toTradesCsv } from './trades-csv.js';
export { REPORT_FILE_NAMES, writeReport, type ReportPaths } from './write-report.js';
