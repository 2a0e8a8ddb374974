import { parseSlashCommand } from './slash-command';

describe('parseSlashCommand', () => {
  it('answers help for nothing, help, and anything it does not know (naming it)', () => {
    expect(parseSlashCommand('')).toEqual({ kind: 'help', unknown: null });
    expect(parseSlashCommand('  help ')).toEqual({ kind: 'help', unknown: null });
    expect(parseSlashCommand('rollback 42')).toEqual({ kind: 'help', unknown: 'rollback' });
  });

  it('reads oncall with or without a schedule, and its aliases', () => {
    expect(parseSlashCommand('oncall')).toEqual({ kind: 'oncall', schedule: null });
    expect(parseSlashCommand('ONCALL ranker-primary')).toEqual({ kind: 'oncall', schedule: 'ranker-primary' });
    expect(parseSlashCommand('who Ranking primary')).toEqual({ kind: 'oncall', schedule: 'Ranking primary' });
    expect(parseSlashCommand('incidents')).toEqual({ kind: 'incidents' });
  });

  it('reads ack and resolve with an incident number, with or without #', () => {
    expect(parseSlashCommand('ack 42')).toEqual({ kind: 'ack', incidentId: 42 });
    expect(parseSlashCommand('acknowledge #7')).toEqual({ kind: 'ack', incidentId: 7 });
    expect(parseSlashCommand('resolve   12')).toEqual({ kind: 'resolve', incidentId: 12 });
  });

  it('says how to use ack and resolve when the id is missing or not a number', () => {
    for (const text of ['ack', 'ack abc', 'resolve 12 13', 'resolve -1', 'ack 1234567890']) {
      expect(parseSlashCommand(text)).toEqual({ kind: 'usage', message: expect.stringMatching(/^Usage: `\/headroom (ack|resolve) ID`/) });
    }
  });

  it('reads page for a service with the rest as the message, unescaping what Slack escaped', () => {
    expect(parseSlashCommand('page now-playing-ranker p99 &gt; 2 s &amp; rising')).toEqual({
      kind: 'page', target: { service: 'now-playing-ranker' }, message: 'p99 > 2 s & rising',
    });
  });

  it('reads page for a person from an escaped Slack mention, with or without a label', () => {
    expect(parseSlashCommand('page <@U0ALICE|alice> please look at the ranker')).toEqual({
      kind: 'page', target: { slackUserId: 'U0ALICE', label: 'alice' }, message: 'please look at the ranker',
    });
    expect(parseSlashCommand('page <@W123> hi')).toEqual({ kind: 'page', target: { slackUserId: 'W123', label: null }, message: 'hi' });
  });

  it('says how to use page without a message, with an unescaped @name or a bad service name', () => {
    expect(parseSlashCommand('page now-playing-ranker')).toMatchObject({ kind: 'usage', message: expect.stringContaining('Usage: `/headroom page SERVICE MESSAGE`') });
    expect(parseSlashCommand('page')).toMatchObject({ kind: 'usage' });
    expect(parseSlashCommand('page @alice hi')).toMatchObject({ kind: 'usage', message: expect.stringContaining('@alice is not a Slack mention') });
    expect(parseSlashCommand('page &lt;script&gt; hi')).toMatchObject({ kind: 'usage', message: expect.stringContaining('<script> is not a service name') });
  });
});
