import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { RulesService } from '../rules/rules.service';
import { IncidentAlert } from './incident-alert.entity';
import { IncidentsService } from './incidents.service';
import { impactWindow, renderPostmortem } from './postmortem';
import { ChangesService } from '../changes/changes.service';
import { reportStart, toResponseTimeRow, type ResponseTimeRow } from './response-times';

export interface ResponseTimeQuery {
  weeks: number;
  services?: string[];
  sources?: string[];
}

/** Reviews: the postmortem draft and response times per service and week. */
@Injectable()
export class IncidentReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsService,
    private readonly rules: RulesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly changes: ChangesService,
  ) {}

  async postmortem(id: number): Promise<string> {
    const incident = await this.incidents.get(id);
    const timeline = await this.incidents.timeline(id);
    const alerts = await this.dataSource.getRepository(IncidentAlert).find({ where: { incidentId: id }, order: { firstReceivedAt: 'ASC', id: 'ASC' }, take: 200 });
    const runbook = incident.runbookId ? this.rules.runbook(incident.runbookId) : undefined;
    const base = this.config.publicUrl;
    return renderPostmortem({
      incident,
      timeline,
      alerts,
      changes: await this.changes.beforeIncident(incident.service, impactWindow(incident, alerts).start),
      runbook: runbook ? { id: runbook.id, title: runbook.title, url: `${base}/#/runbooks/${encodeURIComponent(runbook.id)}/show` } : null,
      incidentUrl: `${base}/#/incidents/${id}/show`,
      generatedAt: this.clock.now(),
    });
  }

  /**
   * Time to acknowledge and to resolve, mean and median, per service and ISO week (UTC) of the
   * trigger, for the last `weeks` weeks. Muted incidents and tickets paged nobody and are left out.
   */
  async responseTimes(q: ResponseTimeQuery): Promise<ResponseTimeRow[]> {
    const from = reportStart(this.clock.now(), q.weeks);
    const params: unknown[] = [from.toISOString()];
    let where = "triggered_at >= $1 AND NOT muted AND urgency = 'page'";
    if (q.services?.length) {
      params.push(q.services);
      where += ` AND service = ANY($${params.length})`;
    }
    if (q.sources?.length) {
      params.push(q.sources);
      where += ` AND source = ANY($${params.length})`;
    }
    const tta = `extract(epoch FROM acknowledged_at - triggered_at)`;
    const ttr = `extract(epoch FROM resolved_at - triggered_at)`;
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT service, to_char(date_trunc('week', triggered_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS week,
              count(*)::int AS incidents, count(acknowledged_at)::int AS acknowledged, count(resolved_at)::int AS resolved,
              avg(${tta}) AS mtta, percentile_cont(0.5) WITHIN GROUP (ORDER BY ${tta}) AS median_tta,
              avg(${ttr}) AS mttr, percentile_cont(0.5) WITHIN GROUP (ORDER BY ${ttr}) AS median_ttr
       FROM incidents WHERE ${where}
       GROUP BY 1, 2 ORDER BY 2 DESC, 1`,
      params,
    );
    return rows.map(toResponseTimeRow);
  }
}
