import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** An acknowledge link that was used (by its nonce): the same link acknowledges no more. Kept until a day after it expires. */
@Entity({ name: 'ack_link_uses' })
export class AckLinkUse {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_ack_link_uses' })
  nonce!: string;

  @Column('integer', { name: 'incident_id' })
  incidentId!: number;

  @Column('text', { name: 'user_email' })
  userEmail!: string;

  @Column('timestamptz', { name: 'used_at' })
  usedAt!: Date;

  @Index('ix_ack_link_uses_expires_at')
  @Column('timestamptz', { name: 'expires_at' })
  expiresAt!: Date;
}

/** The secret acknowledge links are signed with when HEADROOM_ACK_LINK_SECRET is unset: one row, made once. */
@Entity({ name: 'ack_link_secret' })
@Check('ck_ack_link_secret_one_row', 'id = 1')
export class AckLinkSecret {
  @PrimaryColumn('smallint', { primaryKeyConstraintName: 'pk_ack_link_secret' })
  id!: number;

  @Column('text')
  secret!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
