import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { User } from '../auth/user.entity';
import type { ContactMethod } from './contact-method.entity';
import type { Urgency } from './notification-rules';

/**
 * One line of a person's notification rules: at `position` in the `urgency` list, reach them
 * through a contact method (null: their Slack DM) `delay_seconds` after they are paged.
 */
@Entity({ name: 'notification_rules' })
@Check('ck_notification_rules_urgency', `urgency IN ('high', 'low')`)
@Check('ck_notification_rules_delay', `delay_seconds >= 0 AND delay_seconds <= 86400`)
@Index('uq_notification_rules_position', ['userId', 'urgency', 'position'], { unique: true })
export class NotificationRule {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_notification_rules' })
  id!: number;

  @Column('uuid', { name: 'user_id' })
  userId!: string;

  @ManyToOne('User', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_notification_rules_user' })
  user?: User;

  @Column('text')
  urgency!: Urgency;

  @Column('int')
  position!: number;

  @Column('int', { name: 'contact_method_id', nullable: true })
  contactMethodId!: number | null;

  @ManyToOne('ContactMethod', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contact_method_id', foreignKeyConstraintName: 'fk_notification_rules_method' })
  contactMethod?: ContactMethod;

  @Column('int', { name: 'delay_seconds', default: 0 })
  delaySeconds!: number;
}
