import { Initial1764090000000 } from './1764090000000-initial';
import { IntegrationKeys1764100000000 } from './1764100000000-integration-keys';

/** Every migration, in order. Listed as classes (not a glob) so build, tests and CLI agree. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [Initial1764090000000, IntegrationKeys1764100000000];
