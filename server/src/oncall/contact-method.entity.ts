import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
// The relations only declare the foreign keys; users are read through auth's store.
import type { User } from '../auth/user.entity';
import type { ContactKind } from './notification-rules';

/** One way to reach a person besides Slack: an e-mail address, a phone for SMS or calls, a push webhook. */
@Entity({ name: 'contact_methods' })
@Check('ck_contact_methods_kind', `kind IN ('email', 'sms', 'voice', 'push')`)
@Index('uq_contact_methods_user_address', ['userId', 'kind', 'address'], { unique: true })
export class ContactMethod {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_contact_methods' })
  id!: number;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_contact_methods_user' })
  user?: User;

  @Column('text')
  kind!: ContactKind;

  /** E-mail address, E.164 phone number, or https URL (validated by kind when saved). */
  @Column('text')
  address!: string;

  @Column('text', { default: '' })
  label!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
