import { changesBefore, describeChange, type ChangeFacts } from './incident-changes';

const start = new Date('2026-12-08T03:00:00Z');
const ago = (min: number) => new Date(start.getTime() - min * 60_000);
let next = 1;
const change = (service: string, kind: string, min: number, version: string | null = null): ChangeFacts => ({
  id: next++, service, kind, summary: `${kind} of ${service}`, version, previousVersion: null, link: null, at: ago(min), labels: {},
});

describe('changes on an incident', () => {
  it("puts the latest deploy of the incident's own service first, then the rest newest first, and leaves out what came after", () => {
    const ownDeploy = change('now-playing-ranker', 'deploy', 4, 'v42');
    const depDeploy = change('feature-store', 'deploy', 2, 'v7');
    const config = change('now-playing-ranker', 'config', 1);
    const olderDeploy = change('now-playing-ranker', 'deploy', 90, 'v41');
    const after = change('now-playing-ranker', 'deploy', -1, 'v43');
    const shown = changesBefore([olderDeploy, depDeploy, after, config, ownDeploy], 'now-playing-ranker', start);
    expect(shown.map((c) => [c.id, c.suspect, c.minutesBefore])).toEqual([
      [ownDeploy.id, true, 4], [config.id, false, 1], [depDeploy.id, false, 2], [olderDeploy.id, false, 90],
    ]);
    expect(describeChange(shown[0])).toBe('deploy now-playing-ranker v42, 4 min before: deploy of now-playing-ranker');
  });

  it("suspects a dependency's deploy when its own service had none, and any change when nobody deployed", () => {
    const depDeploy = change('feature-store', 'deploy', 30, 'v7');
    const flag = change('now-playing-ranker', 'feature-flag', 10);
    expect(changesBefore([flag, depDeploy], 'now-playing-ranker', start)[0]).toMatchObject({ id: depDeploy.id, suspect: true });
    expect(changesBefore([flag], 'now-playing-ranker', start)[0]).toMatchObject({ id: flag.id, suspect: true });
    expect(changesBefore([], 'now-playing-ranker', start)).toEqual([]);
    expect(describeChange({ ...flag, suspect: true, minutesBefore: 0 })).toBe('feature-flag now-playing-ranker, under a minute before: feature-flag of now-playing-ranker');
  });
});
