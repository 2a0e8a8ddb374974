import { ConflictError, NotFoundError } from '../../common/errors';
import { SlackCommands } from './slack-commands';

const NOW = new Date('2026-12-02T12:00:00Z');
const silent = { info: () => undefined, warn: () => undefined } as never;

/** SlackCommands over stand-ins: what it answers, not how the services work (the e2e test does that). */
function commands(opts: { allowed?: boolean; onCall?: unknown[]; open?: Array<Record<string, unknown>>; total?: number; ack?: () => Promise<unknown> } = {}) {
  const identity = {
    authorize: async (id: string) => ({
      actor: { type: 'slack', id, name: 'Alice' }, user: null, allowed: opts.allowed ?? true, refusal: opts.allowed === false ? 'your Headroom role is viewer' : null,
    }),
  };
  const incidents = {
    acknowledge: opts.ack ?? (async () => undefined),
    get: async (id: number) => ({ id, title: 'ranker down' }),
    list: async () => ({ items: opts.open ?? [], total: opts.total ?? (opts.open ?? []).length }),
  };
  const oncall = { onCallNow: async () => opts.onCall ?? [] };
  const config = { publicUrl: 'https://h.example' };
  return new SlackCommands(incidents as never, oncall as never, identity as never, {} as never, config as never, { now: () => NOW }, silent, {} as never, {} as never);
}
const alice = { id: 'U0ALICE', name: 'alice' };

describe('SlackCommands', () => {
  it('oncall: the shift end when it is within 30 days, none beyond, and nobody when the schedule is empty', async () => {
    const onCall = [
      { schedule: { id: 'a', name: 'A' }, onCall: { user: { name: 'Alice' }, shiftEnd: '2026-12-07T09:00:00Z' } },
      { schedule: { id: 'b', name: 'B' }, onCall: { user: { name: 'Bob' }, shiftEnd: '2027-12-02T12:00:00Z' } },
      { schedule: { id: 'c', name: 'C' }, onCall: null },
    ];
    expect((await commands({ onCall }).run('oncall', alice)).text).toBe([
      '*A* (`a`): Alice until <!date^1796634000^{date_short_pretty} {time}|2026-12-07T09:00:00.000Z>',
      '*B* (`b`): Bob',
      '*C* (`c`): nobody is on call',
    ].join('\n'));
    expect((await commands({ onCall }).run('oncall B', alice)).text).toBe('*B* (`b`): Bob');
    expect((await commands({ onCall: [] }).run('oncall', alice)).text).toMatch(/^No on-call schedules are defined/);
  });

  it('incidents: says how many more there are beyond the ten shown', async () => {
    const open = [{ id: 9, severity: 'critical', service: 'ranker', title: 'down', status: 'acknowledged', acknowledgedBy: 'Alice' }];
    const text = (await commands({ open, total: 12 }).run('incidents', alice)).text;
    expect(text).toBe('*Open incidents* (newest first)\n<https://h.example/#/incidents/9/show|#9> CRITICAL ranker: down (acknowledged by Alice)\n…and 11 more: <https://h.example/#/incidents|all incidents>');
  });

  it('ack: a refusal, a 404 and a 409 each become a sentence for the person; nothing is thrown', async () => {
    expect((await commands({ allowed: false }).run('ack 3', alice)).text).toBe('You cannot acknowledge incident #3: your Headroom role is viewer.');
    expect((await commands({ ack: async () => { throw new NotFoundError('incident', 3); } }).run('ack 3', alice)).text).toBe('There is no incident #3.');
    expect((await commands({ ack: async () => { throw new ConflictError('incident 3 is already acknowledged'); } }).run('ack 3', alice)).text).toBe('Nothing changed: incident 3 is already acknowledged.');
    expect(await commands().run('ack 3', alice)).toEqual({ responseType: 'ephemeral', text: 'Acknowledged <https://h.example/#/incidents/3/show|#3>: ranker down' });
  });
});
