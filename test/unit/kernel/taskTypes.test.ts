import { describe, expect, it } from 'vitest';
import { InvalidTaskError } from '../../../src/errors.js';
import { CommandRegistry } from '../../../src/kernel/CommandRegistry.js';
import { Schedule } from '../../../src/kernel/Schedule.js';

const noop = () => {};

describe('schedule.command()', () => {
  it('schedules a registered command, named after it and its arguments', () => {
    const commands = new CommandRegistry();
    commands.register('cache:clear', noop);
    const schedule = new Schedule({ commands });
    schedule.command('cache:clear', ['--force']).hourly();
    expect(schedule.tasks()[0]).toMatchObject({
      name: 'cache:clear --force',
      expression: '0 * * * *',
      action: { type: 'command', command: 'cache:clear', args: ['--force'] },
    });
  });

  it('fails the build when the command is not registered', () => {
    const schedule = new Schedule({ commands: new CommandRegistry() });
    schedule.command('emails:send').daily();
    expect(() => schedule.tasks()).toThrow(
      `Task "emails:send": command "emails:send" is not registered; call registerCommand('emails:send', handler) before the schedule is built`,
    );
  });

  it('refuses a second, different handler under a taken name', () => {
    const commands = new CommandRegistry();
    commands.register('a', noop);
    commands.register('a', noop); // the same handler again is harmless
    expect(() => commands.register('a', () => {})).toThrow('a different handler is already registered');
    expect(() => commands.register('has space', noop)).toThrow(InvalidTaskError);
  });

  it('rejects arguments that are not strings', () => {
    expect(() => new Schedule().command('x', [1] as never)).toThrow('expects its arguments as an array of strings, got [1]');
  });
});

describe('schedule.exec()', () => {
  it('is named after its command line, or its argv', () => {
    const schedule = new Schedule();
    schedule.exec('  du -sh /tmp ').daily();
    schedule.exec(['pg_dump', '--format=custom', 'app']).dailyAt('03:00');
    expect(schedule.tasks().map((t) => [t.name, t.action])).toEqual([
      ['du -sh /tmp', { type: 'exec', commandLine: 'du -sh /tmp' }],
      ['pg_dump --format=custom app', { type: 'exec', commandLine: ['pg_dump', '--format=custom', 'app'] }],
    ]);
  });

  it('asks for a name when two tasks derive the same one', () => {
    const schedule = new Schedule();
    schedule.exec('backup').daily();
    schedule.exec('backup').weekly();
    expect(() => schedule.tasks()).toThrow('Task "backup": the name is already used by another task; names must be unique (give one a .name())');
  });

  it.each([[''], [[]], [['']], [[1]]])('rejects %j', (command) => {
    expect(() => new Schedule().exec(command as never)).toThrow(InvalidTaskError);
  });
});

describe('sub-minute and every()', () => {
  const build = (configure: (s: Schedule) => void) => {
    const schedule = new Schedule();
    configure(schedule);
    const [task] = schedule.tasks();
    return { expression: task?.expression, repeatSeconds: task?.repeatSeconds, intervalMinutes: task?.intervalMinutes };
  };

  it.each([
    ['everySecond', (s: Schedule) => s.call(noop).name('t').everySecond(), { expression: '* * * * *', repeatSeconds: 1, intervalMinutes: undefined }],
    ['everyTwoSeconds', (s: Schedule) => s.call(noop).name('t').everyTwoSeconds(), { expression: '* * * * *', repeatSeconds: 2, intervalMinutes: undefined }],
    ['everyFiveSeconds', (s: Schedule) => s.call(noop).name('t').everyFiveSeconds(), { expression: '* * * * *', repeatSeconds: 5, intervalMinutes: undefined }],
    ['everyTenSeconds', (s: Schedule) => s.call(noop).name('t').everyTenSeconds(), { expression: '* * * * *', repeatSeconds: 10, intervalMinutes: undefined }],
    ['everyFifteenSeconds', (s: Schedule) => s.call(noop).name('t').everyFifteenSeconds(), { expression: '* * * * *', repeatSeconds: 15, intervalMinutes: undefined }],
    ['everyTwentySeconds', (s: Schedule) => s.call(noop).name('t').everyTwentySeconds(), { expression: '* * * * *', repeatSeconds: 20, intervalMinutes: undefined }],
    ['everyThirtySeconds', (s: Schedule) => s.call(noop).name('t').everyThirtySeconds(), { expression: '* * * * *', repeatSeconds: 30, intervalMinutes: undefined }],
    ['every(12)', (s: Schedule) => s.call(noop).name('t').every(12), { expression: '* * * * *', repeatSeconds: 12, intervalMinutes: undefined }],
    ['every(60)', (s: Schedule) => s.call(noop).name('t').every(60), { expression: '* * * * *', repeatSeconds: undefined, intervalMinutes: undefined }],
    ['every(300)', (s: Schedule) => s.call(noop).name('t').every(300), { expression: '*/5 * * * *', repeatSeconds: undefined, intervalMinutes: undefined }],
    ['every(420)', (s: Schedule) => s.call(noop).name('t').every(420), { expression: '* * * * *', repeatSeconds: undefined, intervalMinutes: 7 }],
    ['every(7200)', (s: Schedule) => s.call(noop).name('t').every(7200), { expression: '* * * * *', repeatSeconds: undefined, intervalMinutes: 120 }],
    ['everyFiveSeconds then cron resets the repeat', (s: Schedule) => s.call(noop).name('t').everyFiveSeconds().cron('0 * * * *'), { expression: '0 * * * *', repeatSeconds: undefined, intervalMinutes: undefined }],
    ['everyFiveSeconds().hourly() repeats inside minute 0, as Laravel', (s: Schedule) => s.call(noop).name('t').everyFiveSeconds().hourly(), { expression: '0 * * * *', repeatSeconds: 5, intervalMinutes: undefined }],
  ])('%s', (_label, configure, expected) => {
    expect(build(configure)).toEqual(expected);
  });

  it.each([[45], [7], [0], [-60], [1.5], [90]])('every(%s) is rejected with what is expected', (seconds) => {
    expect(() => new Schedule().call(noop).name('t').every(seconds)).toThrow(
      `Task "t": every() expects a whole number of seconds that divides 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30) or is a multiple of 60, got ${seconds}`,
    );
  });
});

describe('options', () => {
  it('records conditions, windows, hooks, pings, output and later-issue options', () => {
    const schedule = new Schedule();
    const hook = () => {};
    schedule
      .call(noop)
      .name('t')
      .timezone('Europe/Paris')
      .when(true)
      .skip(() => false)
      .environments('prod', 'staging')
      .between('22:00', '06:00')
      .evenWhenPaused()
      .before(hook).after(hook).then(hook).onSuccess(hook).onFailure(hook)
      .pingBefore('https://hc.example/start').thenPing('https://hc.example/done')
      .pingOnSuccess('https://hc.example/ok').pingOnFailure('https://hc.example/fail')
      .appendOutputTo('s3://my-bucket/logs/t.log')
      .emailOutputTo(['ops@example.com'], true)
      .emailOutputOnFailure('oncall@example.com')
      .timeout(120)
      .onOneServer()
      .onLambda({ memorySize: 1024, timeout: 300 });
    const [task] = schedule.tasks();
    expect(task).toMatchObject({
      timezone: 'Europe/Paris',
      filters: { environments: ['prod', 'staging'], between: { start: '22:00', end: '06:00' }, unlessBetween: undefined },
      evenWhenPaused: true,
      pings: { before: ['https://hc.example/start'], after: ['https://hc.example/done'], onSuccess: ['https://hc.example/ok'], onFailure: ['https://hc.example/fail'] },
      output: { file: { target: 's3://my-bucket/logs/t.log', append: true }, email: { to: ['ops@example.com'], onlyIfOutput: true }, emailOnFailure: { to: ['oncall@example.com'] } },
      timeoutSeconds: 120,
      onOneServer: true,
      lambda: { memorySize: 1024, timeout: 300 },
    });
    expect(task?.hooks.after).toHaveLength(2); // after + then
    expect(task?.filters.when).toEqual([true]);
    expect(Object.isFrozen(task?.hooks.before)).toBe(true);
  });

  it('runInBackground() is onLambda with the defaults', () => {
    const schedule = new Schedule();
    schedule.call(noop).name('t').runInBackground();
    expect(schedule.tasks()[0]?.lambda).toEqual({});
  });

  it.each([
    [(s: Schedule) => s.call(noop).name('t').timezone('Mars/Olympus'), `timezone() expects an IANA time zone such as 'Europe/Paris', got "Mars/Olympus"`],
    [(s: Schedule) => s.call(noop).name('t').between('9:00', '25:00'), `between() expects times 'HH:MM' (00:00–23:59), got "25:00"`],
    [(s: Schedule) => s.call(noop).name('t').when('yes' as never), 'when() expects a boolean or a function, got "yes"'],
    [(s: Schedule) => s.call(noop).name('t').environments(), 'environments() expects one or more stage names, got []'],
    [(s: Schedule) => s.call(noop).name('t').timeout(0), 'timeout() expects a whole number from 1 to 900, got 0'],
    [(s: Schedule) => s.call(noop).name('t').onLambda({ memorySize: 64 }), 'onLambda() expects memorySize to be a whole number from 128 to 10240, got 64'],
    [(s: Schedule) => s.call(noop).name('t').onLambda({ memory: 512 } as never), 'onLambda() expects only memorySize, timeout, reservedConcurrency, retries, got "memory"'],
    [(s: Schedule) => s.call(noop).name('t').before('hook' as never), 'before() expects a function, got "hook"'],
    [(s: Schedule) => s.call(noop).name('t').pingBefore('ftp://x'), 'pingBefore() expects an http(s) URL, got "ftp://x"'],
    [(s: Schedule) => s.call(noop).name('t').sendOutputTo('s3://bucket'), 'sendOutputTo() expects'],
    [(s: Schedule) => s.call(noop).name('t').emailOutputTo('not-an-address'), 'emailOutputTo() expects'],
  ])('rejects bad values naming the task and the method: %#', (configure, message) => {
    expect(() => configure(new Schedule())).toThrow(InvalidTaskError);
    expect(() => configure(new Schedule())).toThrow(`Task "t": ${message}`);
  });
});

describe('schedule.group()', () => {
  it('applies shared attributes that members may override, and nests', () => {
    const schedule = new Schedule();
    schedule.group({ timezone: 'Europe/Paris', withoutOverlapping: true, environments: ['prod'] }, (s) => {
      s.call(noop).name('a').dailyAt('02:00');
      s.call(noop).name('b').timezone('America/New_York').withoutOverlapping(5);
      s.group({ onOneServer: true, between: ['08:00', '18:00'] }, (inner) => inner.call(noop).name('c'));
    });
    schedule.call(noop).name('outside');
    const byName = Object.fromEntries(schedule.tasks().map((t) => [t.name, t]));
    expect(byName.a).toMatchObject({ timezone: 'Europe/Paris', withoutOverlapping: { expiresMinutes: 1440 }, filters: { environments: ['prod'] } });
    expect(byName.b).toMatchObject({ timezone: 'America/New_York', withoutOverlapping: { expiresMinutes: 5 } });
    expect(byName.c).toMatchObject({ timezone: 'Europe/Paris', onOneServer: true, filters: { between: { start: '08:00', end: '18:00' } } });
    expect(byName.outside).toMatchObject({ timezone: 'UTC', withoutOverlapping: false, onOneServer: false });
  });

  it('passes catch-up, jitter and overlap options through', () => {
    const schedule = new Schedule();
    schedule.group({ catchUp: { policy: 'skip' }, jitter: 10, withoutOverlapping: { policy: 'bufferOne' } }, (s) => s.call(noop).name('g'));
    expect(schedule.tasks()[0]).toMatchObject({
      catchUp: { window: 5, policy: 'skip', maxRuns: 10 },
      jitterSeconds: 10,
      withoutOverlapping: { expiresMinutes: 1440, policy: 'bufferOne' },
    });
  });

  it('rejects unknown or bad attributes before declaring anything', () => {
    const schedule = new Schedule();
    expect(() => schedule.group({ timeZone: 'UTC' } as never, (s) => s.call(noop).name('x'))).toThrow('unknown attribute "timeZone"');
    expect(() => schedule.group({ timezone: 'Nowhere' }, (s) => s.call(noop).name('x'))).toThrow('timezone() expects an IANA time zone');
    expect(() => schedule.group({ onOneServer: 'yes' } as never, () => {})).toThrow('attribute "onOneServer" expects a boolean, got yes');
    expect(schedule.tasks()).toEqual([]);
  });
});

describe('locks a task cannot have', () => {
  it('says which lock needs the missing name', () => {
    const schedule = new Schedule();
    schedule.call(noop).everyFiveMinutes().withoutOverlapping().onOneServer();
    expect(() => schedule.tasks()).toThrow(
      `Task #1 (cron "*/5 * * * *") has no name: call .name('...') — withoutOverlapping() and onOneServer() lock on it`,
    );
  });

  it('refuses a lease cap shorter than the run may last', () => {
    const schedule = new Schedule();
    schedule.call(noop).name('export').hourly().timeout(300).withoutOverlapping(2);
    expect(() => schedule.tasks()).toThrow(
      'Task "export": withoutOverlapping(2) caps the lease below the run\'s timeout(300): the lease would expire mid-run and let a second run overlap; expected a cap of at least 5 minutes',
    );
    const fine = new Schedule();
    fine.call(noop).name('export').hourly().timeout(300).withoutOverlapping(5);
    expect(fine.tasks()).toHaveLength(1);
  });
});
