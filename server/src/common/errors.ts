import { HttpException, HttpStatus } from '@nestjs/common';

/** A request that names a valid thing but asks for a change that does not apply now. */
export class ConflictError extends HttpException {
  constructor(message: string) {
    super({ statusCode: HttpStatus.CONFLICT, error: 'Conflict', message }, HttpStatus.CONFLICT);
  }
}

export class NotFoundError extends HttpException {
  constructor(what: string, id: string | number) {
    super(
      { statusCode: HttpStatus.NOT_FOUND, error: 'Not Found', message: `${what} ${id} does not exist` },
      HttpStatus.NOT_FOUND,
    );
  }
}

/** 400 whose body lists each invalid field with the reason, so a client can fix its request. */
export class ValidationError extends HttpException {
  constructor(readonly issues: Array<{ field: string; message: string }>) {
    super(
      {
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: issues.map((i) => `${i.field}: ${i.message}`).join('; '),
        issues,
      },
      HttpStatus.BAD_REQUEST,
    );
  }
}

/** PagerDuty's answer to an event it will not process (Events API v2: alert and change events alike). */
export class InvalidEventError extends HttpException {
  constructor(errors: string[], status = HttpStatus.BAD_REQUEST) {
    super({ status: 'invalid event', message: 'Event object is invalid', errors }, status);
  }
}
