// Unit tests build tick and task handlers whose default Powertools Metrics print an EMF line per
// document on stdout, as they must in Lambda; here those lines would only bury the test report.
// Powertools reads this variable when a `Metrics` is built, so the tests that parse EMF build theirs
// with `emittingMetrics()` (./metrics/emf.ts), which lifts it for that moment. Production reads its
// own environment: nothing here changes what a deployed handler prints.
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
