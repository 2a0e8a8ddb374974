import { Incident } from '../../incidents/incident.entity';
import { ACTION_ACKNOWLEDGE, ACTION_ESCALATE, ACTION_RESOLVE, ACTION_SNOOZE, parseSnoozeChoice, renderIncidentMessage } from './incident-message';

function incident(status: Incident['status']): Incident {
  return Object.assign(new Incident(), {
    id: 12, title: 'now-playing-ranker availability burning error budget', service: 'now-playing-ranker', severity: 'critical',
    status, sloId: 'now-playing-ranker.availability', evidence: { objective: 0.999, burnRates: { '5m': 1000, '1h': 15.2 } },
    acknowledgedBy: status === 'triggered' ? null : 'alice', resolvedBy: status === 'resolved' ? 'bob' : null,
  });
}

const links = { incidentUrl: 'http://h/#/incidents/12/show', runbookUrl: 'http://h/#/runbooks/ranker/show' };

function actionIds(status: Incident['status'], escalating = false): string[] {
  const { blocks } = renderIncidentMessage(incident(status), links, { escalating });
  const actions = blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string }> } | undefined;
  return actions ? actions.elements.map((e) => e.action_id) : [];
}

describe('renderIncidentMessage', () => {
  it('shows both buttons while triggered, only Resolve once acknowledged, none when resolved; Snooze while open', () => {
    expect(actionIds('triggered')).toEqual([ACTION_ACKNOWLEDGE, ACTION_RESOLVE, ACTION_SNOOZE]);
    expect(actionIds('acknowledged')).toEqual([ACTION_RESOLVE, ACTION_SNOOZE]);
    expect(actionIds('snoozed')).toEqual([ACTION_RESOLVE, ACTION_SNOOZE]);
    expect(actionIds('resolved')).toEqual([]);
  });

  it('offers Escalate only while triggered and an escalation policy runs', () => {
    expect(actionIds('triggered', true)).toEqual([ACTION_ACKNOWLEDGE, ACTION_RESOLVE, ACTION_ESCALATE, ACTION_SNOOZE]);
    expect(actionIds('acknowledged', true)).toEqual([ACTION_RESOLVE, ACTION_SNOOZE]);
  });

  it('offers snoozes of 30 min, 1 h and 4 h, and reads back only those', () => {
    const { blocks } = renderIncidentMessage(incident('triggered'), links);
    const menu = (blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; options?: Array<{ text: { text: string }; value: string }> }> })
      .elements.find((e) => e.action_id === ACTION_SNOOZE)!;
    expect(menu.options!.map((o) => [o.text.text, o.value])).toEqual([['30 min', '12:1800'], ['1 h', '12:3600'], ['4 h', '12:14400']]);
    expect(parseSnoozeChoice('12:3600')).toEqual({ incidentId: 12, seconds: 3600 });
    expect(parseSnoozeChoice('12:60')).toBeNull();
    expect(parseSnoozeChoice('x:3600')).toBeNull();
  });

  it('says until when a snoozed incident is quiet', () => {
    const snoozed = Object.assign(incident('snoozed'), { snoozedUntil: new Date('2026-12-02T10:00:00Z') });
    expect(JSON.stringify(renderIncidentMessage(snoozed, links).blocks)).toContain('Snoozed until');
  });

  it('lists the changes before it, the suspect first, three at most, with their links', () => {
    const change = (id: number, suspect: boolean, minutesBefore: number, version: string) => ({
      id, service: 'now-playing-ranker', kind: 'deploy', summary: `ranker ${version}`, version, previousVersion: null, link: id === 1 ? 'https://ci.example.com/42' : null,
      at: new Date(0), labels: {}, suspect, minutesBefore,
    });
    const changes = [change(1, true, 4, 'v42'), change(2, false, 30, 'v41'), change(3, false, 60, 'v40'), change(4, false, 90, 'v39')];
    const { blocks } = renderIncidentMessage(incident('triggered'), links, { changes });
    const text = JSON.stringify(blocks);
    expect(text).toContain('*Changes before*\\n:mag: *Suspect:* deploy now-playing-ranker v42, 4 min before: ranker v42 <https://ci.example.com/42|link>\\n• deploy now-playing-ranker v41, 30 min before');
    expect(text).toContain('… and 1 more on the incident page');
    expect(text).not.toContain('v39');
    expect(JSON.stringify(renderIncidentMessage(incident('triggered'), links).blocks)).not.toContain('Changes before');
  });

  it('carries the evidence and both links', () => {
    const json = JSON.stringify(renderIncidentMessage(incident('triggered'), links).blocks);
    expect(json).toContain('5m: 1000.0×');
    expect(json).toContain('1h: 15.2×');
    expect(json).toContain('99.90%');
    expect(json).toContain('http://h/#/incidents/12/show');
    expect(json).toContain('http://h/#/runbooks/ranker/show');
  });

  it('shows latency quantiles for a latency SLO, the guardrail result for an experiment, and who is paged', () => {
    const latency = { window: '5m', thresholdSeconds: 0.25, quantiles: [{ q: 0.5, value: 0.12 }, { q: 0.9, value: 0.31 }, { q: 0.99, value: 1.5 }] };
    const json = JSON.stringify(renderIncidentMessage(incident('triggered'), links, { latency, paged: ['Alice (on call for ranker-primary)'] }).blocks);
    expect(json).toContain('*Latency (5m)*\\np50: 120 ms · p90: 310 ms · p99: 1.50 s (threshold 250 ms)');
    expect(json).toContain('*Paged*\\nAlice (on call for ranker-primary)');
    const guardrail = Object.assign(incident('triggered'), {
      source: 'guardrail', sloId: null,
      evidence: { metric: 'skip_rate', variant: 'treatment', control: 'control', controlMean: 0.2, treatmentMean: 0.3, relativeDifference: 0.5, margin: 0.02, pValue: 0.00001, srm: { trustworthy: false } },
    });
    expect(JSON.stringify(renderIncidentMessage(guardrail, links).blocks)).toContain(
      '*Guardrail*\\nskip_rate: treatment 0.3000 vs control 0.2000 (+50.0%), margin 0.02, p = 1.0e-5 :warning: sample ratio mismatch: untrustworthy',
    );
  });

  it('names who acknowledged in the updated message', () => {
    expect(JSON.stringify(renderIncidentMessage(incident('acknowledged'), links).blocks)).toContain('alice');
  });
  it('adds the buttons of later stages (Roll back) while the incident is open', () => {
    const extra = [{ actionId: 'x.rollback.approve', text: 'Roll back', value: '7', style: 'danger' as const, confirm: { title: 'Roll back?', text: 'Call it', confirm: 'Roll back', deny: 'Cancel' } }];
    const ids = (status: Incident['status']) => {
      const { blocks } = renderIncidentMessage(incident(status), links, { extra });
      const actions = blocks.find((b) => b.type === 'actions') as { elements: Array<{ action_id: string; style?: string }> } | undefined;
      return actions ? actions.elements.map((e) => e.action_id) : [];
    };
    expect(ids('triggered')).toEqual([ACTION_ACKNOWLEDGE, ACTION_RESOLVE, 'x.rollback.approve', ACTION_SNOOZE]);
    expect(ids('acknowledged')).toEqual([ACTION_RESOLVE, 'x.rollback.approve', ACTION_SNOOZE]);
    expect(ids('resolved')).toEqual([]);
  });

  it('escapes &, < and > in every piece of text an alert brought: no mention, no disguised link (they reached Slack as sent before)', () => {
    const hostile = Object.assign(incident('acknowledged'), {
      title: 'ranker down <!channel>',
      service: '<https://evil.example/sso|Acknowledge in Headroom>',
      acknowledgedBy: 'eve <!here>',
    });
    const { text, blocks } = renderIncidentMessage(hostile, links, { paged: ['<@U123>'] });
    const all = `${text} ${JSON.stringify(blocks)}`;
    expect(all).not.toMatch(/<!channel>|<!here>|<https:\/\/evil|<@U123>/);
    expect(text).toBe('CRITICAL: ranker down &lt;!channel&gt; (&lt;https://evil.example/sso|Acknowledge in Headroom&gt;)');
    // Headroom's own links stay links.
    expect(all).toContain('<http://h/#/incidents/12/show|Incident #12>');
  });

  it('marks a ticket as one, and once it ended or was resolved says so and when', () => {
    const ticket = Object.assign(incident('triggered'), { urgency: 'ticket', title: 'ranker availability SLO is slowly burning its error budget' });
    const open = renderIncidentMessage(ticket, links);
    expect(open.text).toBe('TICKET: ranker availability SLO is slowly burning its error budget (now-playing-ranker)');
    expect(JSON.stringify(open.blocks)).toContain(':ticket: *Ticket: ranker availability SLO is slowly burning its error budget*');
    expect(JSON.stringify(open.blocks)).not.toContain('Ended');

    const endedAt = new Date('2026-12-02T10:00:00Z');
    const ended = renderIncidentMessage(Object.assign(ticket, { signalResolvedAt: endedAt }), links, { ended: { at: endedAt, message: 'The slow burn ended: burn rates are back under the ticket thresholds' } });
    expect(ended.text).toMatch(/^\[Ended\] TICKET: /);
    expect(JSON.stringify(ended.blocks)).toContain(':white_check_mark: *Ended* <!date^1796205600^{date_short_pretty} {time}|2026-12-02T10:00:00.000Z>: The slow burn ended: burn rates are back under the ticket thresholds');

    const resolvedAt = new Date('2026-12-02T11:00:00Z');
    const resolved = renderIncidentMessage(Object.assign(incident('resolved'), { urgency: 'ticket', resolvedAt }), links);
    expect(resolved.text).toMatch(/^\[Resolved\] TICKET: /);
    expect(JSON.stringify(resolved.blocks)).toContain('*Resolved by*\\nbob <!date^1796209200^');
  });

  it('leaves a page as it was: no ended line, even when passed one', () => {
    const at = new Date('2026-12-02T10:00:00Z');
    const page = renderIncidentMessage(Object.assign(incident('triggered'), { urgency: 'page', signalResolvedAt: at }), links, { ended: { at, message: 'cleared' } });
    expect(page.text).toMatch(/^CRITICAL: /);
    expect(JSON.stringify(page.blocks)).not.toContain('Ended');
  });
});
