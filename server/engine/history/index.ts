// Run history of an episode, for the engine (recordRun) and the editor (list, read, compare).
export { indexRun, listRuns, newRunId, readRunConfig, readRunMetrics, recordRun } from './run-history';
export { settleInterruptedRuns } from './interrupted-runs';
export { SUMMARY_METRICS, summarizeMetrics, type RunSummary, type StageStatus, type SummaryMetric } from './run-summary';
export { diffConfigs, diffMetrics, diffScores, type ConfigChange, type MetricDelta, type ScoreDelta } from './run-diff';
