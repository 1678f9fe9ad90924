// The `tickwork` command line: commands, their options, and what exit codes mean.
//   0  done          1  failed while running          2  the command line was wrong (one `error:` line)
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import { dispatch } from './commands/dispatch.js';
import { initProject } from './init.js';
import { list } from './commands/list.js';
import { pause, resume } from './commands/pause.js';
import { start } from './commands/start.js';
import { Project } from './project.js';
import { describeFailure, parseCount, parseDuration, parseIsoTime, parseJson, UsageError } from './usage.js';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const stageOption = () => new Option('--stage <stage>', 'the stage to act on').env('TICKWORK_STAGE').default('dev');
const kernelOption = () =>
  new Option('--kernel <path>', 'the kernel module (default: custom.tickwork.kernel in serverless.yml, else src/kernel.ts)').env('TICKWORK_KERNEL');
const tableOption = () =>
  new Option('--table <name>', "the DynamoDB table (default: custom.tickwork.table in serverless.yml, else <service>-<stage>-tickwork, as the plugin names it)");
const deploymentOption = () => new Option('--deployment <name>', 'the deployment within the table (default: custom.tickwork.deployment, else the stage)');
const endpointOption = () => new Option('--endpoint <url>', 'a DynamoDB Local to use instead of AWS, e.g. http://127.0.0.1:8000').env('DYNAMODB_ENDPOINT');
const regionOption = () => new Option('--region <region>', "the table's AWS region (default: the AWS SDK's, from AWS_REGION or your profile)");

/** Options every command on the stage's table takes. */
function tableOptions(command: Command): Command {
  return command.addOption(stageOption()).addOption(tableOption()).addOption(deploymentOption()).addOption(endpointOption()).addOption(regionOption());
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

  program
    .command('list')
    .alias('schedule:list')
    .description("list the kernel's tasks and when each runs next (UTC), time zones and DST applied")
    .addOption(new Option('--from <time>', 'list the runs from this ISO-8601 time on (default: now)').argParser(parseIsoTime('--from')))
    .addOption(new Option('--count <n>', 'how many next runs to show per task').argParser(parseCount).default(1))
    .option('--json', 'print a JSON array of { name, expression, timezone, next, lambda, description }')
    .addOption(kernelOption())
    .action((options) => list(project, options, colour));

  tableOptions(
    program
      .command('pause')
      .alias('schedule:pause')
      .description('pause the scheduler, or one task, of a stage: ticks skip it until resumed')
      .option('--task <name>', 'pause only this task (default: the whole scheduler)')
      .option('--note <text>', "why (required): shown in every skipped slot's log line")
      .addOption(kernelOption()),
  ).action((options) => pause(project, options));

  tableOptions(
    program
      .command('resume')
      .alias('schedule:resume')
      .description('resume the scheduler, or one task, of a stage')
      .option('--task <name>', 'resume only this task (default: the whole scheduler)'),
  ).action((options) => resume(project, options));

  tableOptions(
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

  program
    .command('init')
    .description('set Tickwork up in this project: an example kernel if there is none, the plugin and custom.tickwork in serverless.yml (or a new one)')
    .addOption(new Option('--kernel <path>', 'where the kernel lives').default('src/kernel.ts'))
    .action((options: { kernel: string }) => {
      const { changes } = initProject(project.root, { kernel: options.kernel });
      process.stdout.write(changes.length === 0 ? 'Tickwork is already set up here: nothing changed.\n' : `${changes.map((change) => `  ${change}`).join('\n')}\nNext: npx tickwork list, then npx serverless deploy.\n`);
    });

  program
    .command('start')
    .description('run the scheduler locally: DynamoDB Local and serverless-offline, the tick at every minute boundary')
    .addOption(stageOption())
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
