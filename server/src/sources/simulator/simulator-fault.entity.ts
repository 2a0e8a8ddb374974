import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { SimulatorFaultKind } from './simulator.service';

/** A fault injected into the simulator; kept in the database so it survives a restart. */
@Entity({ name: 'simulator_faults' })
export class SimulatorFault {
  @PrimaryGeneratedColumn({ primaryKeyConstraintName: 'pk_simulator_faults' })
  id!: number;

  @Column('text')
  service!: string;

  @Column('text')
  kind!: SimulatorFaultKind;

  @Column('double precision')
  value!: number;

  @Column('timestamptz', { name: 'starts_at' })
  startsAt!: Date;

  @Column('timestamptz', { name: 'ends_at' })
  endsAt!: Date;

  @Column('timestamptz', { name: 'cleared_at', nullable: true })
  clearedAt!: Date | null;
}
