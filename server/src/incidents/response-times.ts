/** The Monday 00:00 UTC that starts the ISO week holding `at`. */
export function weekStart(at: Date): Date {
  const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const daysSinceMonday = (d.getUTCDay() + 6) % 7;
  d.setUTCDate(d.getUTCDate() - daysSinceMonday);
  return d;
}

/** The first instant of a report covering `weeks` whole weeks up to and including the current one. */
export function reportStart(now: Date, weeks: number): Date {
  const start = weekStart(now);
  start.setUTCDate(start.getUTCDate() - 7 * (weeks - 1));
  return start;
}

export interface ResponseTimeRow {
  /** `<service>@<week>`, so react-admin can list the rows. */
  id: string;
  service: string;
  /** Monday of the week, YYYY-MM-DD (UTC). */
  week: string;
  incidents: number;
  acknowledged: number;
  resolved: number;
  /** Mean and median time to acknowledge / resolve, seconds; null when none was. */
  mttaSeconds: number | null;
  medianTtaSeconds: number | null;
  mttrSeconds: number | null;
  medianTtrSeconds: number | null;
}

const roundOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

export function toResponseTimeRow(r: Record<string, unknown>): ResponseTimeRow {
  const week = String(r.week);
  return {
    id: `${String(r.service)}@${week}`,
    service: String(r.service),
    week,
    incidents: Number(r.incidents),
    acknowledged: Number(r.acknowledged),
    resolved: Number(r.resolved),
    mttaSeconds: roundOrNull(r.mtta),
    medianTtaSeconds: roundOrNull(r.median_tta),
    mttrSeconds: roundOrNull(r.mttr),
    medianTtrSeconds: roundOrNull(r.median_ttr),
  };
}
