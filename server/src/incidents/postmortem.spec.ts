import { IncidentAlert } from './incident-alert.entity';
import { Incident } from './incident.entity';
import { formatSeconds, impactWindow, renderPostmortem } from './postmortem';
import { TimelineEntry } from './timeline-entry.entity';

const t = (iso: string) => new Date(iso);

function incident(): Incident {
  return Object.assign(new Incident(), {
    id: 12, title: 'now-playing-ranker is failing 7% of requests', service: 'now-playing-ranker', source: 'alertmanager', severity: 'critical',
    status: 'resolved', route: 'ranker', sloId: null, assignee: 'alice', muted: false, mutedReason: null, alertCount: 4, description: '5xx ratio | over 5m',
    triggeredAt: t('2026-11-25T03:00:00Z'), acknowledgedAt: t('2026-11-25T03:04:12Z'), acknowledgedBy: 'alice',
    resolvedAt: t('2026-11-25T04:02:00Z'), resolvedBy: 'alice', signalResolvedAt: t('2026-11-25T03:50:00Z'),
    evidence: { labels: { alertname: 'RankerHighErrorRate' } }, runbookId: 'now-playing-ranker-availability', runbookUrl: null,
  });
}

describe('postmortem draft', () => {
  it('formats durations in two units', () => {
    expect(formatSeconds(0)).toBe('0s');
    expect(formatSeconds(252)).toBe('4m 12s');
    expect(formatSeconds(3720)).toBe('1h 2m');
    expect(formatSeconds(183_600)).toBe('2d 3h');
  });

  it('measures impact from the earliest alert to when the alerts cleared', () => {
    const alert = Object.assign(new IncidentAlert(), { startsAt: t('2026-11-25T02:58:00Z') });
    expect(impactWindow(incident(), [alert])).toEqual({ start: t('2026-11-25T02:58:00Z'), end: t('2026-11-25T03:50:00Z') });
  });

  it('has the summary, impact, response times, timeline, alerts, evidence and runbook', () => {
    const timeline = [Object.assign(new TimelineEntry(), { at: t('2026-11-25T03:00:00Z'), actorName: 'prod-am', actorType: 'integration', message: 'Triggered | by prod-am' })];
    const alert = Object.assign(new IncidentAlert(), {
      title: 'failing', labels: { instance: 'ranker-0' }, status: 'resolved', mutedBy: null, count: 3, startsAt: t('2026-11-25T02:58:00Z'),
      firstReceivedAt: t('2026-11-25T03:00:00Z'), lastReceivedAt: t('2026-11-25T03:50:00Z'),
    });
    const md = renderPostmortem({
      incident: incident(), timeline, alerts: [alert], generatedAt: t('2026-11-26T00:00:00Z'), incidentUrl: 'http://h/#/incidents/12/show',
      runbook: { id: 'now-playing-ranker-availability', title: 'Ranker errors', url: 'http://h/#/runbooks/now-playing-ranker-availability/show' },
      changes: [{
        id: 3, service: 'now-playing-ranker', kind: 'deploy', summary: 'ranker v42', version: 'v42', previousVersion: 'v41', link: 'https://ci.example.com/42',
        at: t('2026-11-25T02:54:00Z'), labels: {}, suspect: true, minutesBefore: 4,
      }],
    });
    expect(md).toMatch(/^# Postmortem: now-playing-ranker is failing 7% of requests\n/);
    expect(md).toContain('## Changes before the incident\n\n- **Suspect:** deploy now-playing-ranker v42, 4 min before: ranker v42 ([link](https://ci.example.com/42)) — 2026-11-25T02:54:00Z\n');
    for (const heading of ['## Summary', '## Impact window', '## Response', '## Timeline', '## Alerts', '## Evidence', '## Runbook', '## Root cause', '## Action items']) {
      expect(md).toContain(`\n${heading}\n`);
    }
    expect(md).toContain('- **Started:** 2026-11-25T02:58:00Z');
    expect(md).toContain('- **Duration:** 52m');
    expect(md).toContain('| Acknowledged | 2026-11-25T03:04:12Z | alice | 4m 12s (time to acknowledge) |');
    expect(md).toContain('| Resolved | 2026-11-25T04:02:00Z | alice | 1h 2m (time to resolve) |');
    expect(md).toContain('Triggered \\| by prod-am');
    expect(md).toContain('| failing | instance=ranker-0 | resolved | 3× |');
    expect(md).toContain('"alertname": "RankerHighErrorRate"');
    expect(md).toContain('[Ranker errors](http://h/#/runbooks/now-playing-ranker-availability/show)');
  });
});
