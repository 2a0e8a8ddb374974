import { Catch, HttpException, HttpStatus, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DATABASE_RETRY_AFTER_SECONDS } from '../../common/database-unavailable';
import { LOGGER, type Logger } from '../../common/logger';
import { encodingOf, otlpErrorBody } from './otlp-body';

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
}

/**
 * Errors of the OTLP endpoint (a bad key, an undecodable body, all points invalid) answered the
 * OTLP way: a google.rpc.Status in the request's encoding. Anything unexpected (the database is
 * down) becomes a 503, which OTLP exporters retry with backoff, instead of a 500 they drop.
 */
@Catch()
export class OtlpExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<IncomingMessage>();
    const res = http.getResponse<ServerResponse>();
    let status: number;
    let message: string;
    if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = messageOf(exception);
    } else {
      this.logger.error({ err: exception }, 'OTLP export could not be stored');
      status = HttpStatus.SERVICE_UNAVAILABLE;
      message = 'the batch could not be stored right now; retry later';
    }
    const { contentType, body } = otlpErrorBody(encodingOf(req.headers['content-type']), status, message);
    res.statusCode = status;
    res.setHeader('content-type', contentType);
    // A body refused unread (a bad key, too many in flight, over the limit) is not drained: the connection closes.
    if (!req.complete) res.setHeader('connection', 'close');
    if (status === HttpStatus.SERVICE_UNAVAILABLE) res.setHeader('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    res.end(body);
  }
}
