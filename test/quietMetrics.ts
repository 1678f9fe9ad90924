// Tests build tick and task handlers (the fault suite, hundreds of ticks) whose default Powertools
// Metrics print an EMF line per document on stdout, as they must in Lambda; here those lines would
// only bury the test report. Processes the integration tests start inherit the setting; none of them
// is asserted on its EMF (serverless-offline turns metrics off anyway, see createMetrics).
// Powertools reads this variable when a `Metrics` is built, so the tests that parse EMF build theirs
// with `emittingMetrics()` (unit/metrics/emf.ts), which lifts it for that moment. Production reads its
// own environment: nothing here changes what a deployed handler prints.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
