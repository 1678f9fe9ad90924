// The `tickwork` command line: commands, their options, and what exit codes mean.
//   0  done          1  failed while running          2  the command line was wrong (one `error:` line)
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { dispatch } from './commands/dispatch.js';
import { initProject } from './init.js';
import { DEFAULT_KERNEL_PATH } from '../local/loadKernel.js';
import { list } from './commands/list.js';
import { pause, resume } from './commands/pause.js';
import { FAN_OUT_HELP, run } from './commands/run.js';
import { test } from './commands/test.js';
import { parseTicks, work } from './commands/work.js';
import { start } from './commands/start.js';
import { history } from './commands/history.js';
import { monitor } from './commands/monitor.js';
import { parseLimit, parseSince } from './commands/readModel.js';
import { why } from './commands/why.js';
import { dashboard, parsePort } from './commands/dashboard.js';
import { backfill, MAX_BACKFILL_LIMIT, parseBackfillLimit } from './commands/backfill.js';
import { DEFAULT_BACKFILL_LIMIT } from '../operate/backfill.js';
import { cost, parseMemory, parseRunRatio } from './commands/cost.js';
import { TICK_GRACE_MS } from '../operate/monitor.js';
import { findLocalStart } from '../local/localStart.js';
import { Project } from './project.js';
import { describeFailure, parseCount, parseDuration, parseIsoTime, parseJson, UsageError } from './usage.js';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

// Each option states its default once: where commander knows the value, through `default(value, description)`.
const stageOption = (fallback: string) =>
  new Option('--stage <stage>', 'the stage to act on').env('TICKWORK_STAGE').default(fallback, `${JSON.stringify(fallback)}: provider.stage in serverless.yml, else "dev"`);
const kernelOption = () =>
  new Option('--kernel <path>', 'the kernel module (default: custom.tickwork.kernel in serverless.yml, else src/kernel.ts)').env('TICKWORK_KERNEL');
const tableOption = () =>
  new Option('--table <name>', "the DynamoDB table (default: custom.tickwork.table in serverless.yml, else <service>-<stage>-tickwork, as the plugin names it)");
const deploymentOption = () => new Option('--deployment <name>', 'the deployment within the table (default: custom.tickwork.deployment, else the stage)');
const endpointOption = () => new Option('--endpoint <url>', 'a DynamoDB Local to use instead of AWS, e.g. http://127.0.0.1:8000').env('DYNAMODB_ENDPOINT');
const regionOption = (fallback: string | undefined) => {
  if (fallback === undefined) return new Option('--region <region>', "the table's AWS region (default: provider.region in serverless.yml, else the AWS SDK's)");
  return new Option('--region <region>', "the table's AWS region").default(fallback, `${JSON.stringify(fallback)}: provider.region in serverless.yml`);
};

const profileOption = () => new Option('--profile <name>', 'the AWS shared-config profile to use (credentials and region) for a deployed table').env('AWS_PROFILE');

/**
 * Options every command on the stage's table takes. With no `--endpoint` (nor `DYNAMODB_ENDPOINT`) and
 * no `--profile` on the command line, a `tickwork start` running for the stage lends its DynamoDB Local
 * (see `findLocalStart`), and the command says so on stderr.
 */
function tableOptions(command: Command, project: Project): Command {
  return command
    .addOption(stageOption(project.defaultStage()))
    .addOption(tableOption())
    .addOption(deploymentOption())
    .addOption(endpointOption())
    .addOption(regionOption(project.defaultRegion()))
    .addOption(profileOption())
    .hook('preAction', (action) => {
      const options = action.opts<{ endpoint?: string; stage: string }>();
      if (options.endpoint || action.getOptionValueSource('profile') === 'cli') return;
      const local = findLocalStart(project.root, options.stage);
      if (local === undefined) return;
      action.setOptionValueWithSource('endpoint', local.endpoint, 'default');
      process.stderr.write(`tickwork: stage ${options.stage} is running locally (tickwork start, pid ${local.pid}): using its DynamoDB at ${local.endpoint} (--profile or --endpoint to reach another)\n`);
    });
}

export function createProgram(project: Project, colour: boolean): Command {
  const program = new Command('tickwork')
    .description('A Laravel-style task scheduler for AWS Lambda: inspect the schedule, pause, dispatch, and run it locally.')
    .version(version(), '-V, --version', 'print the version')
    .helpCommand('help [command]', 'show the help of a command')
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .configureOutput({
      // A usage error is one line (commander puts its "Did you mean …?" on a second one).
      outputError: (message, write) => write(`${message.trim().replace(/\s*\n\s*/g, ' ')}\n`),
      getOutHasColors: () => colour,
      getErrHasColors: () => colour && process.stderr.isTTY === true,
    })
    .exitOverride();
  const withTable = (command: Command) => tableOptions(command, project);

  program
    .command('list')
    .alias('schedule:list')
    .description("list the kernel's tasks and when each runs next (UTC), time zones and DST applied")
    .addOption(new Option('--from <time>', 'list the runs from this ISO-8601 time on (default: now)').argParser(parseIsoTime('--from')))
    .addOption(new Option('--next <n>', 'how many next runs to show per task (default: 1)').argParser(parseCount('--next')))
    .addOption(new Option('--count <n>', 'the former name of --next').argParser(parseCount('--count')).hideHelp())
    .option('--json', 'print a JSON array of { name, expression, timezone, next, nextInZone, lambda, overlap, onOneServer, description }')
    .addOption(kernelOption())
    .action((options) => list(project, options, colour));

  withTable(
    program
      .command('pause')
      .alias('schedule:pause')
      .description('pause the scheduler, or one task, of a stage: ticks skip it until resumed')
      .option('--task <name>', 'pause only this task (default: the whole scheduler)')
      .option('--note <text>', "why (required): shown in every skipped slot's log line")
      .addOption(kernelOption()),
  ).action((options) => pause(project, options));

  withTable(
    program
      .command('resume')
      .alias('schedule:resume')
      .description('resume the scheduler, or one task, of a stage')
      .option('--task <name>', 'resume only this task (default: the whole scheduler)')
      .option('--note <text>', 'why: printed in the confirmation line (not stored: the table keeps nothing of a lifted pause)'),
  ).action((options) => resume(project, options));

  withTable(
    program
      .command('dispatch')
      .alias('schedule:dispatch')
      .description('queue a one-off run of a task: the first tick from its time on runs it, once')
      .argument('<task>', 'the name of a task in the kernel')
      .addOption(new Option('--after <duration>', 'run it this long from now: 90s, 5m, 2h, 1d (default: now)').argParser(parseDuration).conflicts('at'))
      .addOption(new Option('--at <time>', 'run it at this ISO-8601 time').argParser(parseIsoTime('--at')))
      .addOption(new Option('--payload <json>', "JSON handed to the task as context.payload").argParser(parseJson))
      .addOption(kernelOption()),
  ).action((task: string, options) => dispatch(project, task, options));

  withTable(
    program
      .command('test')
      .alias('schedule:test')
      .description('run one task now, in this process, with its hooks and output, whatever its schedule; exit 1 if it fails')
      .argument('[task]', 'the name of a task in the kernel (without one: at a terminal, pick it from a list; else the names are listed)')
      .option('--no-lock', 'run a withoutOverlapping() task without taking its lease: no table needed, but it may overlap a run elsewhere')
      .option('--json', 'print { task, status, durationMs, startedAt, output, error, locked }')
      .addOption(kernelOption())
      .addHelpText('after', '\nWhat the task logs (context.logger) is shown on stderr as it runs, one readable line each; stdout has the outcome.\nNo table is used unless the task is withoutOverlapping(): then the run holds its lease in the stage\'s table\n(created first when --endpoint names a DynamoDB Local), and a lease held elsewhere stops it (exit 1).'),
  ).action((task: string | undefined, options) => test(project, task, options));

  withTable(
    program
      .command('run')
      .alias('schedule:run')
      .description("run one tick now, or for the minute --time names, in this process against the stage's table, and print its report; exit 1 if a task failed")
      .addOption(new Option('--time <time>', 'tick for the minute of this ISO-8601 time, at most 24 h ago (default: now)').argParser(parseIsoTime('--time')))
      .option('--json', 'print the tick report as JSON')
      .addOption(kernelOption())
      .addHelpText('after', FAN_OUT_HELP),
  ).action((options) => run(project, options));

  withTable(
    program
      .command('work')
      .alias('schedule:work')
      .description("run a tick in this process at every minute boundary against the stage's table, until Ctrl-C")
      .option('--json', 'print each tick report as one line of JSON')
      .addOption(new Option('--ticks <n>', 'stop after this many ticks').argParser(parseTicks).hideHelp())
      .addOption(new Option('--now', 'tick the current minute at once, then at every boundary').hideHelp())
      .addOption(kernelOption())
      .addHelpText(
        'after',
        `\nThe first Ctrl-C starts no new tick and waits for running tasks to finish and record their outcomes.\nA second Ctrl-C abandons them: each is recorded failed with reason abandoned, its lease freed, and work\nexits (130). A task's failure is reported, not fatal; exit 1 only if a tick failed on the store.\n${FAN_OUT_HELP}`,
      ),
  ).action((options) => work(project, options));

  withTable(
    program
      .command('history')
      .alias('schedule:history')
      .description('recent runs, newest first: slot, status, duration, lateness, attempt, error, and skipped or missed slots with their reasons')
      .argument('[task]', 'only this task (default: every task, and minutes no tick evaluated)')
      .addOption(new Option('--since <time>', 'from this ISO-8601 time, or this long ago: 90m, 2h, 7d (default: 24 h ago)').argParser(parseSince))
      .addOption(new Option('--limit <n>', 'at most this many entries').argParser(parseLimit).default(50))
      .option('--json', 'print a JSON array of run and missed entries')
      .addOption(kernelOption()),
  ).action((task: string | undefined, options) => history(project, task, options, colour));

  withTable(
    program
      .command('monitor')
      .alias('schedule:monitor')
      .description("each task's last start, finish and failure, next due, and whether it is late or failing; exit 1 if any is, or if the tick has stopped")
      .addOption(new Option('--at <time>', 'judge as of this ISO-8601 time (default: now)').argParser(parseIsoTime('--at')))
      .option('--json', 'print { at, scheduler, tasks, ok }')
      .addOption(kernelOption())
      .addHelpText('after', `\nLate: the task's latest slot past its grace has not started (grace: the task's monitor({ grace }), else 2 min\ninline and the Lambda's timeout + 2 min for its own Lambda; plus any jitter). Failing: its latest finished run failed or timed out. A task with no\nrecord yet is not judged late; the tick itself is late after ${TICK_GRACE_MS / 60_000} minutes without one.`),
  ).action((options) => monitor(project, options, colour));

  withTable(
    program
      .command('why')
      .alias('schedule:why')
      .description("explain one slot: the expression in the task's zone and its DST rule, filters, pause, claim, overlap, catch-up, dispatch, outcome; future times too")
      .argument('<task>', 'the name of a task in the kernel')
      .addOption(new Option('--at <time>', 'the slot, an ISO-8601 time such as 2026-03-08T07:00:00Z').argParser(parseIsoTime('--at')).makeOptionMandatory())
      .option('--json', 'print the explanation as JSON')
      .addOption(kernelOption()),
  ).action((task: string, options) => why(project, task, options, colour));

  withTable(
    program
      .command('dashboard')
      .description('serve the schedule in a browser on 127.0.0.1: tasks, runs, errors, why, and pause/resume/run now/backfill; until Ctrl-C')
      .addOption(new Option('--port <port>', 'the port (default: a free one)').argParser(parsePort))
      .option('--read-only', 'serve the pages without any action')
      .addOption(kernelOption())
      .addHelpText('after', '\nIt prints a link with a random token: opened in a browser, it enables the actions there. Without the token\nthe pages are read-only and actions are refused (403). Only requests naming 127.0.0.1 or localhost are served.'),
  ).action((options) => dashboard(project, options));

  withTable(
    program
      .command('backfill')
      .alias('schedule:backfill')
      .description("run a task's real slots in a past range, as the tick would have: inline tasks in this process, fan-out ones sent to their Lambdas; slots already claimed are left alone; exit 1 if a run failed")
      .argument('<task>', 'the name of a task in the kernel')
      .addOption(new Option('--from <time>', 'the first instant of the range, ISO-8601').argParser(parseIsoTime('--from')).makeOptionMandatory())
      .addOption(new Option('--to <time>', 'the last instant of the range (inclusive), ISO-8601, not in the future').argParser(parseIsoTime('--to')).makeOptionMandatory())
      .option('--dry-run', 'list what would run (reading the table), write nothing')
      .addOption(new Option('--limit <n>', `refuse a range with more slots than this (at most ${MAX_BACKFILL_LIMIT})`).argParser(parseBackfillLimit).default(DEFAULT_BACKFILL_LIMIT))
      .option('--json', 'print { task, from, to, dryRun, runsIn, owner, slots: [{ slot, outcome, … }] }')
      .addOption(kernelOption())
      .addHelpText(
        'after',
        `\nEach slot keeps the identity the tick claims it with, so one a tick, a one-off or an earlier backfill already\nclaimed or decided is reported and left alone. Records of the slots it claims are owned by backfill-<uuid>.\nA paused task is refused (resume it first); a withoutOverlapping() task's slots wait for no lease: while\nanother run holds it, they are left unclaimed ("not claimed") for a later backfill.\n${FAN_OUT_HELP}`,
      ),
  ).action((task: string, options) => backfill(project, task, options, colour));

  program
    .command('cost')
    .alias('schedule:cost')
    .description("estimate the kernel's monthly AWS cost at list prices: the tick, task Lambdas, DynamoDB requests, EventBridge, beside its idle floor and one Scheduler schedule per task")
    .addOption(stageOption(project.defaultStage()))
    .addOption(new Option('--from <time>', 'count slots over the 30 days from this ISO-8601 time (default: now)').argParser(parseIsoTime('--from')))
    .addOption(new Option('--tick-memory <mb>', "the tick's memory (custom.tickwork.tick.memorySize)").argParser(parseMemory).default(256))
    .addOption(new Option('--run-ratio <r>', 'the share of its timeout a fan-out run is assumed to last (1: the whole timeout, an upper bound)').argParser(parseRunRatio).default(1))
    .option('--json', 'print the estimate as JSON: tasks, lines, total, idleFloor, perTaskSchedules, assumptions')
    .addOption(kernelOption())
    .action((options) => cost(project, options, colour));

  program
    .command('init')
    .description('set Tickwork up in this project: an example kernel if there is none, the plugin and custom.tickwork in serverless.yml (or a new one)')
    .addOption(new Option('--kernel <path>', 'where the kernel lives').default(DEFAULT_KERNEL_PATH))
    .action((options: { kernel: string }) => {
      const { changes } = initProject(project.root, { kernel: options.kernel });
      process.stdout.write(changes.length === 0 ? 'Tickwork is already set up here: nothing changed.\n' : `${changes.map((change) => `  ${change}`).join('\n')}\nNext: npx tickwork list, then npx serverless deploy.\n`);
    });

  program
    .command('start')
    .description('run the scheduler locally: DynamoDB Local and serverless-offline, the tick at every minute boundary')
    .addOption(stageOption(project.defaultStage()))
    .addOption(kernelOption())
    .addOption(new Option('--table <name>', 'the table to create; must be the one the plugin configures (default: named as the plugin does)'))
    .addOption(new Option('--endpoint <url>', 'use this DynamoDB Local instead of starting one').env('DYNAMODB_ENDPOINT'))
    .addOption(portOption('--http-port <port>', 'serverless-offline HTTP port', 'TICKWORK_HTTP_PORT', '3000'))
    .addOption(portOption('--lambda-port <port>', 'serverless-offline Lambda invoke API port', 'TICKWORK_LAMBDA_PORT', '3002'))
    .addOption(portOption('--websocket-port <port>', 'serverless-offline websocket port', 'TICKWORK_WEBSOCKET_PORT', '3001'))
    .addOption(portOption('--eventbridge-port <port>', 'local EventBridge PutEvents port', 'TICKWORK_EVENTBRIDGE_PORT', '4010'))
    .addOption(portOption('--eventbridge-pubsub-port <port>', 'local EventBridge broker port', 'TICKWORK_EVENTBRIDGE_PUBSUB_PORT', '4011'))
    .action((options) => start(project, options));

  return program;
}

function portOption(flags: string, description: string, env: string, fallback: string): Option {
  return new Option(flags, description).env(env).default(fallback).argParser((value) => {
    if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 65_535) throw new UsageError(`${flags.split(' ')[0]} expects a port number 1–65535, got ${JSON.stringify(value)}`);
    return value;
  });
}

function version(): string {
  try {
    return (createRequire(import.meta.url)('tickwork/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Parses `argv` (without node and the script) and runs the command; resolves to the exit code. */
export async function runCli(argv: readonly string[], project = new Project(), colour = process.stdout.isTTY === true && !process.env.NO_COLOR): Promise<number> {
  const program = createProgram(project, colour);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    // Commander has printed its message (or the help) already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`${describeFailure(error)}\n`);
    return EXIT_FAILURE;
  }
}
