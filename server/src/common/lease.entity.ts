import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A lease row: the pass that must run once across processes holds it until `expires_at`.
 * Row locks and leases work the same on PostgreSQL and PGlite (advisory locks do not).
 */
@Entity({ name: 'leases' })
export class Lease {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_leases' })
  name!: string;

  @Column('text')
  holder!: string;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;
}
