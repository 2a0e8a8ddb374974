import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { VariantAggregate } from './experiment-snapshot';
import { Experiment } from './experiment.entity';

/**
 * A cumulative snapshot of an experiment's per-variant aggregates. The unique index on
 * (experiment, snapshot time) makes a repeated post harmless, whatever the races.
 */
@Entity({ name: 'experiment_observations' })
@Index('uq_experiment_observations_experiment_at', ['experimentId', 'at'], { unique: true })
export class ExperimentObservation {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_experiment_observations' })
  id!: number;

  @Column('text', { name: 'experiment_id' })
  experimentId!: string;

  @ManyToOne(() => Experiment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'experiment_id', foreignKeyConstraintName: 'fk_experiment_observations_experiment' })
  experiment?: Experiment;

  /** The snapshot time the sender gave. */
  @Column('timestamptz')
  at!: Date;

  @Column('jsonb')
  variants!: Record<string, VariantAggregate>;

  @Column('timestamptz', { name: 'received_at', default: () => 'now()' })
  receivedAt!: Date;
}
