import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Planned work on one service: its alerts are recorded but page nobody between start and end. */
@Entity({ name: 'maintenance_windows' })
@Index('ix_maintenance_windows_service_ends_at', ['service', 'endsAt'])
@Check('ck_maintenance_windows_window', `ends_at >= starts_at`)
export class MaintenanceWindow {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_maintenance_windows' })
  id!: number;

  @Column('text')
  service!: string;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt!: Date;

  @Column('timestamptz', { name: 'ends_at' })
  endsAt!: Date;

  @Column('text', { name: 'created_by' })
  createdBy!: string;

  @Column('text')
  comment!: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'expired_at', nullable: true })
  expiredAt!: Date | null;
}
