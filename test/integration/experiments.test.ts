import { SchedulerRegistry } from '@nestjs/schedule';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditService } from '../../server/src/audit/audit.service';
import { ManualClock } from '../../server/src/common/clock';
import { AppMetrics } from '../../server/src/common/metrics';
import { loadConfig } from '../../server/src/config/config';
import { LeaseService } from '../../server/src/common/lease.service';
import { ExperimentsService } from '../../server/src/guardrails/experiments.service';
import { GuardrailEvaluator } from '../../server/src/guardrails/guardrail-evaluator.service';
import { IncidentsService } from '../../server/src/incidents/incidents.service';
import { RulesService } from '../../server/src/rules/rules.service';
import { ExperimentObservationsService } from '../../server/src/sources/experiments/experiment-observations.service';
import { databaseKinds, openTestDatabase, type TestDatabase } from '../support/database';
import { incidentWriter, outboxService, experimentsService } from '../support/services';
import { IncidentStore } from '../../server/src/incidents/incident-store';
import { silentLogger } from '../support/test-logger';
import { noEscalation } from '../support/pipeline-stages';

const ROOT = path.resolve(__dirname, '../..');
const yaml = (status = 'running', extra = '') => `experiments:
  - name: ranker-v42
    service: now-playing-ranker
    status: ${status}
    start: 2026-11-20T09:00:00Z
    variants:
      - { name: control, control: true, share: 0.5 }
      - { name: v42, share: 0.5 }
    guardrails:
      - { name: skip_rate, kind: proportion, direction: lower_is_better, margin: 0.02 }
${extra}`;
const OTHER = `  - name: other
    service: feature-store
    start: 2026-11-20T09:00:00Z
    variants: [{ name: a, control: true, share: 0.5 }, { name: b, share: 0.5 }]
    guardrails: [{ name: m, kind: mean, direction: lower_is_better }]
`;

const variants = (units: number, control: number, treatment: number) => ({
  control: { units, metrics: { skip_rate: { successes: Math.round(control * units) } } },
  v42: { units, metrics: { skip_rate: { successes: Math.round(treatment * units) } } },
});

describe.each(databaseKinds())('experiment observations and guardrail evaluation on %s', (kind) => {
  let db: TestDatabase;
  let rules: RulesService;
  let experiments: ExperimentsService;
  let evaluator: GuardrailEvaluator;
  let observations: ExperimentObservationsService;
  const alertsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-exp-alerts-'));
  const clock = new ManualClock(new Date('2026-11-25T10:30:00Z'));
  const write = (text: string) => fs.writeFileSync(path.join(alertsDir, 'experiments.yaml'), text);
  const sync = () => experiments.syncDeclared(rules.experiments().map((d) => ({ spec: d.spec, file: d.file ?? '' })));

  beforeAll(async () => {
    db = await openTestDatabase(kind);
    write(yaml('running', OTHER));
    const config = loadConfig({ HEADROOM_ALERTS_DIR: alertsDir }, ROOT);
    rules = new RulesService(config);
    const incidents = new IncidentsService(db.dataSource, outboxService(db.dataSource, config), new AppMetrics(), new AuditService(db.dataSource), new IncidentStore(db.dataSource), incidentWriter(outboxService(db.dataSource, config), noEscalation), noEscalation, clock, silentLogger);
    experiments = experimentsService(db.dataSource, clock);
    evaluator = new GuardrailEvaluator(db.dataSource, experiments, rules, incidents, new LeaseService(db.dataSource), new SchedulerRegistry(), clock, config, silentLogger);
    observations = new ExperimentObservationsService(experiments, evaluator, silentLogger);
    await sync();
  });
  afterAll(async () => {
    await db.close();
    fs.rmSync(alertsDir, { recursive: true, force: true });
  });

  const incidentRows = () => db.dataSource.query(`SELECT id, status, fingerprint, source FROM incidents ORDER BY id`);

  it('20 concurrent posts of the same snapshot store one row and open one incident', async () => {
    const body = { at: '2026-11-25T10:00:00Z', variants: variants(20_000, 0.3, 0.33) };
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => observations.record('ranker-v42', body)));
    expect(outcomes.filter((o) => o.stored)).toHaveLength(1);
    expect(await db.dataSource.query(`SELECT count(*)::int AS n FROM experiment_observations`)).toEqual([{ n: 1 }]);
    expect(await incidentRows()).toEqual([expect.objectContaining({ status: 'triggered', fingerprint: 'guardrail:ranker-v42:v42:skip_rate', source: 'guardrail' })]);
    // The database refuses a second row for the same time, whatever the application does.
    await expect(
      db.dataSource.query(`INSERT INTO experiment_observations (experiment_id, at, variants) VALUES ('ranker-v42', '2026-11-25T10:00:00Z', '{}')`),
    ).rejects.toThrow(/uq_experiment_observations_experiment_at/);
  });

  it('a breach that clears is recorded on the timeline, and the incident stays open', async () => {
    // Much more data with no difference left: the harm test concludes "ok" again.
    await observations.record('ranker-v42', { at: '2026-11-25T12:00:00Z', variants: variants(2_000_000, 0.3, 0.3) });
    const [incident] = await incidentRows();
    expect(incident.status).toBe('triggered');
    const timeline = await db.dataSource.query(`SELECT kind, message FROM incident_timeline WHERE incident_id = $1 ORDER BY id`, [incident.id]);
    expect(timeline.map((t: { kind: string }) => t.kind)).toEqual(['incident.triggered', 'incident.signal-resolved']);
    expect(timeline[1].message).toMatch(/guardrail breach cleared/);
  });

  it('the scheduled pass evaluates running experiments; a stopped one signals nothing', async () => {
    await db.dataSource.query(`TRUNCATE incidents, incident_timeline, outbox RESTART IDENTITY CASCADE`);
    await db.dataSource.query(`UPDATE experiments SET status = 'stopped' WHERE id = 'ranker-v42'`);
    await observations.record('ranker-v42', { at: '2026-11-25T13:00:00Z', variants: variants(2_100_000, 0.3, 0.4) });
    expect(await incidentRows()).toEqual([]);
    await db.dataSource.query(`UPDATE experiments SET status = 'running' WHERE id = 'ranker-v42'`);
    await evaluator.scheduledPass();
    expect(await incidentRows()).toHaveLength(1);
    const [row] = await db.dataSource.query(`SELECT results, evaluated_at FROM experiments WHERE id = 'other'`);
    expect(row.results.srm.state).toBe('no-data');
    expect(row.results.metrics.map((m: { state: string }) => m.state)).toEqual(['no-data']);
  });

  it('reloading alerts/ updates declared experiments, keeps a rollback, and stops removed ones', async () => {
    await db.dataSource.query(`UPDATE experiments SET status = 'rolled_back' WHERE id = 'ranker-v42'`);
    write(yaml('running'));
    expect(rules.reload()).toEqual([]);
    await sync();
    const rows = await db.dataSource.query(`SELECT id, status, origin FROM experiments ORDER BY id`);
    expect(rows).toEqual([
      { id: 'other', status: 'stopped', origin: 'yaml' },
      { id: 'ranker-v42', status: 'rolled_back', origin: 'yaml' },
    ]);
    write(yaml('stopped', OTHER));
    rules.reload();
    await sync();
    expect(await db.dataSource.query(`SELECT id, status FROM experiments ORDER BY id`)).toEqual([
      { id: 'other', status: 'running' },
      { id: 'ranker-v42', status: 'rolled_back' },
    ]);
    // Each move is a change of the experiment's service; a rolled-back one staying so is none.
    const changes: Array<{ service: string; summary: string }> = await db.dataSource.query(`SELECT service, summary FROM changes WHERE source = 'experiments' ORDER BY id`);
    expect(changes.slice(-2)).toEqual([
      { service: 'feature-store', summary: 'Experiment other stopped' },
      { service: 'feature-store', summary: 'Experiment other restarted (b 50%)' },
    ]);
    expect(changes[0]).toEqual({ service: 'now-playing-ranker', summary: 'Experiment ranker-v42 started (v42 50%)' });
  });
});
