import { Initial1764090000000 } from './1764090000000-initial';

/** Every migration, in order. Listed as classes (not a glob) so build, tests and CLI agree. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [Initial1764090000000];
