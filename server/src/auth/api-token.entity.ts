import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from './user.entity';

export type Role = 'viewer' | 'responder' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'responder', 'admin'];

/** A bearer token for the REST API. Only a SHA-256 of the token is stored. */
@Entity({ name: 'api_tokens' })
@Check('ck_api_tokens_role', `role IN ('viewer', 'responder', 'admin')`)
export class ApiToken {
  /** A UUID made by the application (no database extension needed). */
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'pk_api_tokens' })
  id!: string;

  @Column('text')
  name!: string;

  @Index('uq_api_tokens_token_hash', { unique: true })
  @Column('text', { name: 'token_hash' })
  tokenHash!: string;

  @Column('text')
  role!: Role;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  /** The person the token acts for: disabling them revokes it. Null for tokens from the environment or the CLI. */
  @Index('ix_api_tokens_owner_id')
  @Column('uuid', { name: 'owner_id', nullable: true })
  ownerId!: string | null;

  @ManyToOne(() => User, { nullable: true })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_api_tokens_owner' })
  owner?: User | null;

  /** Refused from then on; null: no expiry. */
  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt!: Date | null;
}
