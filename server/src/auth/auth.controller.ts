import { Body, Controller, Get, HttpCode, HttpException, HttpStatus, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { CurrentPrincipal, Public, type Principal } from './auth.decorators';
import { clearSessionCookie, sessionToken, setSessionCookie } from './session-cookie';
import { SignInLimiter } from './sign-in-limiter';
import { UsersService } from './users.service';

const loginSchema = z.strictObject({
  email: z.string().trim().min(1, 'is required').max(320),
  password: z.string().min(1, 'is required').max(1024),
});

// Per email: a few guesses, then wait. Per client address: more (an office shares one), still bounded.
const perEmail = new SignInLimiter({ maxFailures: 5, windowMs: 15 * 60_000 });
const perClient = new SignInLimiter({ maxFailures: 30, windowMs: 15 * 60_000 });

@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  /** Email and password in, a session cookie out (and who signed in). Failed attempts are rate-limited. */
  @Post('login')
  @Public()
  @HttpCode(200)
  async login(@Body(new ZodValidationPipe(loginSchema)) body: z.infer<typeof loginSchema>, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<Principal> {
    const email = body.email.toLowerCase();
    const client = req.ip ?? 'unknown';
    const now = Date.now();
    const wait = Math.max(perEmail.retryAfterMs(email, now), perClient.retryAfterMs(client, now));
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw new HttpException({ statusCode: 429, error: 'Too Many Requests', message: `too many failed sign-ins; try again in ${Math.ceil(wait / 1000)} s` }, HttpStatus.TOO_MANY_REQUESTS);
    }
    const user = await this.users.checkPassword(email, body.password);
    if (!user) {
      perEmail.fail(email, now);
      perClient.fail(client, now);
      throw new UnauthorizedException('wrong email or password');
    }
    perEmail.clear(email);
    const session = await this.users.startSession(user);
    setSessionCookie(res, session.token, session.expiresAt, this.secure(req));
    return { id: user.id, name: user.name, email: user.email, role: user.role, kind: 'user' };
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const token = sessionToken(req);
    if (token) await this.users.endSession(token);
    clearSessionCookie(res, this.secure(req));
  }

  private secure(req: Request): boolean {
    return req.secure || this.config.publicUrl.startsWith('https:');
  }
}
