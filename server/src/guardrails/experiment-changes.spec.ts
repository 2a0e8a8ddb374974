import { experimentSchema } from '../rules/experiment-definition';
import { experimentChange } from './experiment-changes';

const at = new Date('2026-12-08T03:00:00Z');
const spec = (share: number) =>
  experimentSchema.parse({
    name: 'ranker-v2', service: 'now-playing-ranker', start: '2026-12-01T00:00:00Z',
    variants: [{ name: 'control', control: true, share: 1 - share }, { name: 'treatment', share }],
    guardrails: [{ name: 'skip_rate', kind: 'proportion', direction: 'lower_is_better' }],
  });

describe('experiment changes', () => {
  it('records a start, a ramp, a stop, a restart and a rollback, with the allocation before and after', () => {
    const five = { status: 'running', spec: spec(0.05) };
    const fifty = { status: 'running', spec: spec(0.5) };
    expect(experimentChange(null, five, at)).toEqual({
      service: 'now-playing-ranker', kind: 'experiment', summary: 'Experiment ranker-v2 started (treatment 5%)', version: 'treatment 5%', previousVersion: null,
      link: null, at: new Date('2026-12-01T00:00:00Z'), labels: { experiment: 'ranker-v2' }, source: 'experiments',
    });
    // Declared to start later than now: dated now.
    expect(experimentChange(null, { status: 'running', spec: { ...spec(0.05), start: '2026-12-09T00:00:00Z' } }, at)?.at).toEqual(at);
    expect(experimentChange(five, fifty, at)).toMatchObject({ at, summary: 'Experiment ranker-v2 ramped: treatment 5% → treatment 50%', version: 'treatment 50%', previousVersion: 'treatment 5%' });
    expect(experimentChange(fifty, { ...fifty, status: 'stopped' }, at)?.summary).toBe('Experiment ranker-v2 stopped');
    expect(experimentChange({ ...fifty, status: 'stopped' }, fifty, at)?.summary).toBe('Experiment ranker-v2 restarted (treatment 50%)');
    expect(experimentChange(fifty, { ...fifty, status: 'rolled_back' }, at, 'skip_rate harmed')?.summary).toBe('Experiment ranker-v2 rolled back: skip_rate harmed');
  });

  it('records nothing when nothing a person would call a change happened', () => {
    const five = { status: 'running', spec: spec(0.05) };
    expect(experimentChange(five, { status: 'running', spec: { ...spec(0.05), description: 'edited' } }, at)).toBeNull();
    expect(experimentChange(null, { status: 'stopped', spec: spec(0.05) }, at)).toBeNull();
    expect(experimentChange({ status: 'stopped', spec: spec(0.05) }, { status: 'stopped', spec: spec(0.5) }, at)).toBeNull();
  });
});
