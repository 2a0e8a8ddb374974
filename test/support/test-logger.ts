import { createLogger } from '../../server/src/common/logger';

/** A silent pino logger for services constructed directly in tests. */
export const silentLogger = createLogger('silent');
