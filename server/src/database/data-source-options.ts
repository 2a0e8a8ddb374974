import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

/** One definition for the app, the tests and the migration CLI. `synchronize` is never on. */
export function dataSourceOptions(url: string, embedded: boolean): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    // PGlite has one backend session behind its socket server: two connections' extended-protocol
    // messages (parse/bind/execute) can interleave there and fail ("bind message supplies 5
    // parameters, but prepared statement requires 2"). One connection serialises them.
    extra: { max: embedded ? 1 : 10, connectionTimeoutMillis: embedded ? 60000 : 10000 },
  };
}
