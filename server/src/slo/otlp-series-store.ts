import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { OtlpSeriesKind } from './otlp-series-resolver';

/** A series for the OTLP catalog (otlp_series), as the OTLP source first sees it. */
export interface NewOtlpSeries {
  id: string;
  service: string;
  metric: string;
  kind: OtlpSeriesKind;
  unit: string;
  attributes: Record<string, unknown>;
}

/** Writes the OTLP series catalog that OtlpSeriesResolver reads. Insert-only. */
@Injectable()
export class OtlpSeriesStore {
  /**
   * Adds series in the caller's transaction (the OTLP write's), in one statement whatever their
   * number; a series already in the catalog is left as it is. Give them in key order, so
   * concurrent writers lock in the same order.
   */
  async add(m: EntityManager, series: readonly NewOtlpSeries[]): Promise<void> {
    if (series.length === 0) return;
    await m.query(
      `INSERT INTO otlp_series (series_id, service_name, metric_name, kind, unit, attributes)
       SELECT t.id, t.service, t.metric, t.kind, t.unit, t.attributes
       FROM jsonb_to_recordset($1::jsonb) AS t(id text, service text, metric text, kind text, unit text, attributes jsonb)
       ON CONFLICT ON CONSTRAINT pk_otlp_series DO NOTHING`,
      [JSON.stringify(series)],
    );
  }
}
