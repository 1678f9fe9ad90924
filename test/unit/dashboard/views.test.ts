import { describe, expect, it } from 'vitest';
import { overviewPage } from '../../../src/dashboard/views/overviewPage.js';
import { taskPage } from '../../../src/dashboard/views/taskPage.js';
import { Schedule } from '../../../src/kernel/Schedule.js';
import { ReadModel } from '../../../src/operate/ReadModel.js';
import { MemoryStore } from '../../../src/store/MemoryStore.js';

const NO_OUTCOME = '<span class="status status-failed">no outcome</span>';

describe('the dashboard\'s pages on a run left running with no outcome', () => {
  it('show it as such on the overview\'s last run and the task page\'s failures, with the failing badge', async () => {
    const schedule = new Schedule();
    schedule.call(() => {}).name('beat').everyMinute();
    const store = new MemoryStore();
    // A tick claimed 10:01 and died; no Lambda retry settled it.
    await store.claimSlot({ task: 'beat', slot: '2026-11-23T10:01:00.000Z', owner: 'tick@dead', claimedAt: Date.parse('2026-11-23T10:01:00.100Z') });
    const model = new ReadModel({ tasks: schedule.compiled(), store, stage: 'test' });
    const now = Date.parse('2026-11-23T10:20:00Z');
    const context = { stage: 'test', table: 'tickwork-test', canAct: false, readOnly: true, now };

    const overview = overviewPage(context, await model.overview(now)).toString();
    const row = overview.slice(overview.indexOf('<tr data-task="beat"'));
    expect(row.slice(row.indexOf('<td class="last">'))).toMatch(new RegExp(`^<td class="last">${NO_OUTCOME}`));
    expect(row).toContain('>failing</span>');

    const detail = await model.taskDetail('beat', now, { since: new Date('2026-11-23T10:00:00Z'), limit: 10, next: 1 });
    const page = taskPage(context, detail, undefined, undefined).toString();
    expect(page).toMatch(new RegExp(`<h3>${NO_OUTCOME} [^<]*10:01`));
  });
});
