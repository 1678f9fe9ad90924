/*
 * `npm run bench`: every performance budget of the project in one Markdown table — case, median, p90,
 * the baseline measured in the same run, the ratio, the budget, pass or fail — and a non-zero exit if
 * any budget is missed. Not part of `npm test`: timings belong here, never in a test. See bench/README.md.
 */
import os from 'node:os';
import { bundleCases } from './cases/bundles.js';
import { dispatchCases } from './cases/dispatch.js';
import { dueCheckCases } from './cases/dueCheck.js';
import { dynamoDbCases } from './cases/dynamodb.js';
import { occurrencesCase } from './cases/occurrences.js';
import { markdownTable, passes, type BudgetRow } from './stats.js';

// One after another, never side by side: each measures time. The in-process CPU cases go first, on a
// fresh heap and before DynamoDB Local's JVM has started.
const rows: BudgetRow[] = [];
for (const cases of [occurrencesCase, dueCheckCases, bundleCases, dynamoDbCases, dispatchCases]) rows.push(...(await cases()));
rows.sort((a, b) => a.case.localeCompare(b.case, 'en', { numeric: true }));
const cpus = os.cpus();
console.log(`\n${new Date().toISOString().slice(0, 16)}Z · ${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length} · Node ${process.version} · ${os.platform()} ${os.arch()} · load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log(markdownTable(rows));
for (const note of rows.flatMap((row) => (row.note === undefined ? [] : [row.note]))) console.log(`\n${note}`);
const missed = rows.filter((row) => !passes(row));
console.log(missed.length === 0 ? '\nEvery budget met.' : `\n${missed.length} budget(s) missed.`);
if (missed.length > 0) process.exitCode = 1;
