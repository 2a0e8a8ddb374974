import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ExperimentSpec, ExperimentStatus } from '../rules/experiment-definition';
import type { ExperimentResults } from './experiment-evaluation';

/**
 * An experiment whose guardrails Headroom watches, declared in alerts/*.yaml (origin `yaml`,
 * synced at start and on every reload) or created through the API (origin `api`), with its
 * latest evaluation.
 */
@Entity({ name: 'experiments' })
@Check('ck_experiments_status', `status IN ('running', 'stopped', 'rolled_back')`)
@Check('ck_experiments_origin', `origin IN ('yaml', 'api')`)
@Index('ix_experiments_service', ['service'])
export class Experiment {
  /** The experiment's name. */
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_experiments' })
  id!: string;

  @Column('text')
  service!: string;

  @Column('text')
  status!: ExperimentStatus;

  @Column('text')
  origin!: 'yaml' | 'api';

  /** The validated definition as declared (experiment-definition.ts). */
  @Column('jsonb')
  spec!: ExperimentSpec;

  /** The alerts file it came from; null for API experiments. */
  @Column('text', { nullable: true })
  file!: string | null;

  @Column('timestamptz', { name: 'started_at' })
  startedAt!: Date;

  /** The latest evaluation (experiment-evaluation.ts); null before the first. */
  @Column('jsonb', { nullable: true })
  results!: ExperimentResults | null;

  @Column('timestamptz', { name: 'evaluated_at', nullable: true })
  evaluatedAt!: Date | null;

  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
