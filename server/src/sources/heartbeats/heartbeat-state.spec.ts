import { dueAt, heartbeatSignal, heartbeatState, missedTitle } from './heartbeat-state';

const declaredAt = new Date('2026-12-07T10:00:00Z');
const at = (seconds: number) => new Date(declaredAt.getTime() + seconds * 1000);
const hb = { name: 'alertmanager', intervalSeconds: 300, graceSeconds: 60, declaredAt, lastBeatAt: null as Date | null, service: 'alertmanager', severity: 'page' as const, runbookId: null };

describe('heartbeat state', () => {
  it('waits for the first beat until interval + grace after the declaration, then is missed', () => {
    expect(dueAt(hb)).toEqual(at(360));
    expect(heartbeatState(hb, at(0))).toBe('waiting');
    expect(heartbeatState(hb, at(360))).toBe('waiting');
    expect(heartbeatState(hb, at(361))).toBe('missed');
  });

  it('is ok until interval + grace after the last beat', () => {
    const beaten = { ...hb, lastBeatAt: at(1000) };
    expect(dueAt(beaten)).toEqual(at(1360));
    expect(heartbeatState(beaten, at(1300))).toBe('ok');
    expect(heartbeatState(beaten, at(1361))).toBe('missed');
    expect(heartbeatState({ ...beaten, graceSeconds: 0 }, at(1301))).toBe('missed');
  });

  it('titles the incident with the last beat, or the declaration when none came', () => {
    expect(missedTitle({ ...hb, lastBeatAt: new Date('2026-12-07T10:05:00.123Z') })).toBe('heartbeat alertmanager missed (last beat at 2026-12-07T10:05:00Z)');
    expect(missedTitle(hb)).toBe('heartbeat alertmanager missed (no beat since it was declared at 2026-12-07T10:00:00Z)');
  });

  it('signals a page as critical and a ticket as a warning, both resolved by their source', () => {
    const page = heartbeatSignal(hb, 'firing', at(400));
    expect(page).toMatchObject({ fingerprint: 'heartbeat:alertmanager', source: 'heartbeat', severity: 'critical', urgency: 'page', autoResolve: true, labels: { heartbeat: 'alertmanager' } });
    expect(page.evidence).toMatchObject({ lastBeatAt: null, interval: '5m', grace: '1m', dueAt: at(360).toISOString() });
    expect(heartbeatSignal({ ...hb, severity: 'ticket' }, 'firing', at(400))).toMatchObject({ severity: 'warning', urgency: 'ticket' });
  });
});
