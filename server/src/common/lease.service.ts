import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';

/**
 * Leases for passes that must run in one process at a time (the scheduled evaluation). A
 * holder takes a lease when it is free or expired, and renews it by taking it again.
 */
@Injectable()
export class LeaseService {
  readonly holder = `${process.pid}-${randomUUID().slice(0, 8)}`;

  constructor(private readonly dataSource: DataSource) {}

  async tryAcquire(name: string, ttlSeconds: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
       ON CONFLICT ON CONSTRAINT pk_leases DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
       WHERE leases.expires_at < now() OR leases.holder = EXCLUDED.holder
       RETURNING holder`,
      [name, this.holder, ttlSeconds],
    );
    return rows.length > 0;
  }

  async release(name: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM leases WHERE name = $1 AND holder = $2`, [name, this.holder]);
  }
}
