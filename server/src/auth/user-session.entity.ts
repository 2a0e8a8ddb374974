import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A console sign-in. The cookie holds a random token; only its SHA-256 is stored. */
@Entity({ name: 'user_sessions' })
export class UserSession {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_user_sessions' })
  id!: string;

  @Index('ix_user_sessions_user_id')
  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @Index('uq_user_sessions_token_hash', { unique: true })
  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;
}
