import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Failed sign-ins in a row for one key (`email|client` or `client`); see SignInLimiter. */
@Entity({ name: 'sign_in_failures' })
export class SignInFailure {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_sign_in_failures' })
  key!: string;

  @Column('int')
  failures!: number;

  @Index('ix_sign_in_failures_last_failed_at')
  @Column('timestamptz', { name: 'last_failed_at' })
  lastFailedAt!: Date;

  /** The next attempt is answered 429 before then. */
  @Column('timestamptz', { name: 'retry_at', nullable: true })
  retryAt!: Date | null;
}
