import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Incident } from './incident.entity';

/**
 * One outside alert grouped into an incident. Repeated deliveries of the same alert (same key)
 * update this row and add to `count`; the unique key makes that safe under concurrent posts.
 */
@Entity({ name: 'incident_alerts' })
@Index('uq_incident_alerts_incident_key', ['incidentId', 'alertKey'], { unique: true })
// Which open incident holds an alert: one probe, newest incident first (alert-repeats.ts).
@Index('ix_incident_alerts_alert_key_incident', ['alertKey', 'incidentId'])
@Check('ck_incident_alerts_status', `status IN ('firing', 'resolved')`)
export class IncidentAlert {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_incident_alerts' })
  id!: number;

  @Column('int', { name: 'incident_id' })
  incidentId!: number;

  @ManyToOne(() => Incident, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'fk_incident_alerts_incident' })
  incident?: Incident;

  /** `<source>:<integration key id>/<identity at the source>`: the Alertmanager fingerprint or PagerDuty dedup_key, per key. */
  @Column('text', { name: 'alert_key' })
  alertKey!: string;

  @Column('text')
  source!: string;

  @Column('text')
  status!: 'firing' | 'resolved';

  @Column('text')
  title!: string;

  @Column('jsonb', { default: () => "'{}'" })
  labels!: Record<string, string>;

  @Column('jsonb', { default: () => "'{}'" })
  annotations!: Record<string, string>;

  /** The last delivery as received. */
  @Column('jsonb', { default: () => "'{}'" })
  payload!: Record<string, unknown>;

  @Column('int', { default: 1 })
  count!: number;

  /** The silence or maintenance window that covered its last delivery, if any. */
  @Column('text', { name: 'muted_by', nullable: true })
  mutedBy!: string | null;

  @Column('text', { name: 'generator_url', nullable: true })
  generatorUrl!: string | null;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt!: Date;

  @Column('timestamptz', { name: 'ends_at', nullable: true })
  endsAt!: Date | null;

  @Column('timestamptz', { name: 'first_received_at' })
  firstReceivedAt!: Date;

  @Column('timestamptz', { name: 'last_received_at' })
  lastReceivedAt!: Date;

  @Column('timestamptz', { name: 'resolved_at', nullable: true })
  resolvedAt!: Date | null;

  /**
   * Hash of `labels`, `annotations` and `payload` as the repeats statement stored them
   * (alert-repeats.ts); null after any other write of them. A repeat with the same content then
   * sends only the hash.
   */
  @Column('text', { name: 'content_hash', nullable: true })
  contentHash!: string | null;
}
