import { Column, Entity, PrimaryColumn } from 'typeorm';

/** How far the simulator has written data; advanced in the same transaction as the data. */
@Entity({ name: 'simulator_state' })
export class SimulatorState {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'pk_simulator_state' })
  id!: string;

  @Column('timestamptz', { name: 'simulated_until' })
  simulatedUntil!: Date;
}
