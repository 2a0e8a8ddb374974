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
    // PGlite runs one query at a time anyway; a small pool avoids queueing sockets.
    extra: { max: embedded ? 4 : 10, connectionTimeoutMillis: 10000 },
  };
}
