// Run history of an episode, for the engine (recordRun) and the editor (list, read, compare).
export { listRuns, newRunId, readRunConfig, readRunMetrics, recordRun, runManifestsDir, RUN_ID_PATTERN, RUNS_DIR, RUNS_INDEX } from './run-history';
export { SUMMARY_METRICS, summarizeMetrics, type RunSummary, type StageStatus, type SummaryMetric } from './run-summary';
export { diffConfigs, diffMetrics, type ConfigChange, type MetricDelta } from './run-diff';
