import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { FAULT_KINDS, type FaultKind } from './traffic-model';

/** The traffic model's faults, and harm done by the treatments of a service's experiments. */
export type SimulatorFaultKind = FaultKind | 'experiment-harm';
export const SIMULATOR_FAULT_KINDS: readonly SimulatorFaultKind[] = [...FAULT_KINDS, 'experiment-harm'];

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
