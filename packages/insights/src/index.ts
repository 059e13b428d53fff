export * from './settings.ts';
export { detectAnomalies, type DetectOptions, type DetectResult } from './detect.ts';
export { likelyCauses, metricsOf, peerMedians, type Metrics } from './causes.ts';
export { windowAt, windowsToScan, type Window } from './window.ts';
export { median } from './stats.ts';
export { buildMorningReport, writeMorningReport, reportDate, type MorningReport, type MorningReportOptions, type WrittenReport } from './report/build.ts';
export { morningFigures, type MorningFigures, type ReportScope } from './report/figures.ts';
export { morningMarkdown, money } from './report/markdown.ts';
