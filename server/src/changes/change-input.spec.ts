import { ChangeInputError, flaggerEventSchema, flaggerPhaseChanged, fromFlagger, fromGeneric, fromPagerDuty, genericChangeSchema, pagerDutyChangeSchema } from './change-input';

const now = new Date('2026-12-08T03:00:00Z');

describe('change input', () => {
  it('takes Headroom JSON as it is, at the time it names or now', () => {
    const body = genericChangeSchema.parse({ service: 'now-playing-ranker', kind: 'deploy', summary: 'ranker v42', version: 'v42', previousVersion: 'v41', link: 'https://ci.example.com/42', at: '2026-12-08T02:56:00Z', labels: { env: 'prod' } });
    expect(fromGeneric(body, now)).toEqual({
      service: 'now-playing-ranker', kind: 'deploy', summary: 'ranker v42', version: 'v42', previousVersion: 'v41', link: 'https://ci.example.com/42',
      at: new Date('2026-12-08T02:56:00Z'), labels: { env: 'prod' }, source: 'api',
    });
    expect(fromGeneric(genericChangeSchema.parse({ service: 'feature-store', kind: 'config', summary: 'ttl 5m' }), now)).toMatchObject({ at: now, version: null, labels: {} });
  });

  it('names the field and the reason of a bad change', () => {
    const issues = (b: unknown) => genericChangeSchema.safeParse(b).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ service: 'Ranker!', kind: 'deploy', summary: 'x' })).toEqual([expect.stringMatching(/^service: must be a service name/)]);
    expect(issues({ service: 'ranker', kind: 'rollout', summary: 'x' })?.[0]).toMatch(/^kind: /);
    expect(issues({ service: 'ranker', kind: 'deploy', summary: ' ' })).toEqual(['summary: must not be empty']);
    expect(issues({ service: 'ranker', kind: 'deploy', summary: 'x', link: 'javascript:alert(1)' })).toEqual(['link: must be an http(s) URL']);
    expect(issues({ service: 'ranker', kind: 'deploy', summary: 'x', extra: 1 })?.[0]).toMatch(/extra/);
    // Milliseconds sent as seconds land in 1970: refused, not stored as ancient history.
    const old = genericChangeSchema.parse({ service: 'ranker', kind: 'deploy', summary: 'x', at: '1970-01-21T00:00:00Z' });
    expect(() => fromGeneric(old, now)).toThrow(new ChangeInputError('at', 'is more than a year from now (1970-01-21T00:00:00.000Z)'));
  });

  it("maps PagerDuty's change event (its documented example), the service from custom_details or the key's name", () => {
    const example = pagerDutyChangeSchema.parse({
      routing_key: 'samplekeyhere',
      payload: {
        summary: 'Build Success: Increase snapshot create timeout to 30 seconds',
        timestamp: '2020-07-17T08:42:58.315+0000',
        source: 'acme-build-pipeline-tool-default-i-9999',
        custom_details: { build_state: 'passed', build_number: '2', run_time: '1236s' },
      },
      links: [{ href: 'https://acme.pagerduty.dev/build/2', text: 'View more details in Acme!' }],
    });
    const then = new Date('2020-12-01T00:00:00Z');
    expect(fromPagerDuty(example, 'feature-store', then)).toEqual({
      service: 'feature-store', kind: 'deploy', summary: 'Build Success: Increase snapshot create timeout to 30 seconds', version: null, previousVersion: null,
      link: 'https://acme.pagerduty.dev/build/2', at: new Date('2020-07-17T08:42:58.315Z'),
      labels: { build_state: 'passed', build_number: '2', run_time: '1236s', source: 'acme-build-pipeline-tool-default-i-9999' }, source: 'pagerduty',
    });
    const deploy = pagerDutyChangeSchema.parse({ routing_key: 'k', payload: { summary: 'ranker v42', custom_details: { service: 'now-playing-ranker', kind: 'config', version: 'v42', previous_version: 'v41' } } });
    expect(fromPagerDuty(deploy, 'ci', now)).toMatchObject({ service: 'now-playing-ranker', kind: 'config', version: 'v42', previousVersion: 'v41', at: now, labels: {} });
    const bad = pagerDutyChangeSchema.parse({ routing_key: 'k', payload: { summary: 'x', custom_details: { service: 'Not A Service' } } });
    expect(() => fromPagerDuty(bad, 'ci', now)).toThrow(/^payload.custom_details.service: must be a service name/);
  });

  it("keeps a Flagger event when its canary's phase changes", () => {
    const event = flaggerEventSchema.parse({ name: 'now-playing-ranker', namespace: 'prod', phase: 'Progressing', metadata: { eventMessage: 'New revision detected! Scaling up now-playing-ranker.prod', eventType: 'Normal', timestamp: String(now.getTime() - 60_000) } });
    expect(fromFlagger(event, now)).toEqual({
      service: 'now-playing-ranker', kind: 'deploy', summary: 'Flagger Progressing: New revision detected! Scaling up now-playing-ranker.prod', version: null, previousVersion: null, link: null,
      at: new Date(now.getTime() - 60_000), labels: { namespace: 'prod', phase: 'Progressing', eventType: 'Normal' }, source: 'flagger',
    });
    expect(flaggerPhaseChanged(event, null)).toBe(true);
    expect(flaggerPhaseChanged(event, 'Progressing')).toBe(false);
    expect(flaggerPhaseChanged({ ...event, phase: 'Succeeded' }, 'Progressing')).toBe(true);
  });
});
