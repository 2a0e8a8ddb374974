import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { ActorType } from './actor';
import { Incident } from './incident.entity';

/** One row per change to an incident, naming its actor. Append-only. */
@Entity({ name: 'incident_timeline' })
@Index('ix_incident_timeline_incident_at', ['incidentId', 'at'])
export class TimelineEntry {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_incident_timeline' })
  id!: number;

  @Column('int', { name: 'incident_id' })
  incidentId!: number;

  @ManyToOne(() => Incident, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incident_id', foreignKeyConstraintName: 'fk_incident_timeline_incident' })
  incident?: Incident;

  @Column('timestamptz')
  at!: Date;

  /** Event name, `incident.<past-tense>`: incident.triggered, incident.acknowledged, … */
  @Column('text')
  kind!: string;

  @Column('text', { name: 'actor_type' })
  actorType!: ActorType;

  @Column('text', { name: 'actor_id', nullable: true })
  actorId!: string | null;

  @Column('text', { name: 'actor_name' })
  actorName!: string;

  @Column('text')
  message!: string;

  @Column('jsonb', { default: () => "'{}'" })
  data!: Record<string, unknown>;
}
