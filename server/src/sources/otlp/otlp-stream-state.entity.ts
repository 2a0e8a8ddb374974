import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StreamState } from './cumulative';

/**
 * The last point of each OTLP stream (one exporter's sequence of points for a series), which a
 * cumulative point is compared with to get its increase. In PostgreSQL, written in the same
 * transaction as the rollups, so several Headroom processes behind one load balancer, and
 * restarts, never count an increase twice or lose one. `version` goes up on every write: a batch
 * converted against a state it remembered writes only where the version is still that one, and
 * reads the row again under FOR UPDATE otherwise (see OtlpIngestService.write).
 */
@Entity({ name: 'otlp_stream_state' })
export class OtlpStreamState {
  @PrimaryColumn('text', { name: 'stream_id', primaryKeyConstraintName: 'pk_otlp_stream_state' })
  streamId!: string;

  @Column('text', { name: 'series_id' })
  seriesId!: string;

  /** `json`: stored as sent and read back whole by this process only (jsonb parsing cost the database as much as the write). */
  @Column('json', { nullable: true })
  state!: StreamState | null;

  @Column('integer', { default: 0 })
  version!: number;

  /** When the state last changed (a point that adds nothing does not rewrite the row). */
  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
