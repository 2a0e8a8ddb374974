import { Column, Entity, PrimaryColumn } from 'typeorm';

export type SloState = 'ok' | 'ticket' | 'page' | 'no-data';

/** The latest evaluation of each SLO, shared by every Headroom process. */
@Entity({ name: 'slo_status' })
export class SloStatus {
  @PrimaryColumn('text', { name: 'slo_id', primaryKeyConstraintName: 'pk_slo_status' })
  sloId!: string;

  @Column('text')
  state!: SloState;

  @Column('jsonb', { name: 'burn_rates', default: () => "'{}'" })
  burnRates!: Record<string, number | null>;

  @Column('double precision', { name: 'budget_remaining', nullable: true })
  budgetRemaining!: number | null;

  @Column('jsonb', { default: () => "'{}'" })
  evidence!: Record<string, unknown>;

  @Column('timestamptz', { name: 'evaluated_at' })
  evaluatedAt!: Date;

  /** When the SLO entered its current state. */
  @Column('timestamptz')
  since!: Date;
}
