import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How often a service's gate was asked and what it last answered: one row per service, shared by every process. */
@Entity({ name: 'gate_checks' })
export class GateCheck {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_gate_checks' })
  service!: string;

  @Column('bigint', { default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  passed!: number;

  @Column('bigint', { default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  failed!: number;

  @Column('timestamptz', { name: 'last_checked_at' })
  lastCheckedAt!: Date;

  @Column('boolean', { name: 'last_pass' })
  lastPass!: boolean;

  @Column('jsonb', { name: 'last_reasons', default: () => "'[]'" })
  lastReasons!: string[];
}
