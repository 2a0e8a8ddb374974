import { Body, Controller, Get, HttpCode, HttpException, HttpStatus, Inject, Post, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { DataSource } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
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

// Failures before delays begin: per email from one client, a few guesses; per client across
// emails, more (an office behind one address signs in a lot), still bounded.
const FREE_PER_EMAIL_AND_CLIENT = 5;
const FREE_PER_CLIENT = 30;

@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly limiter: SignInLimiter,
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
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
    const client = clientAddress(req, this.config.clientIpHeader);
    const keys = { pair: `${email}|${client}`, client: `|${client}` };
    const wait = await this.limiter.waitMs([keys.pair, keys.client]);
    if (wait > 0) {
      res.setHeader('Retry-After', String(Math.ceil(wait / 1000)));
      throw new HttpException({ statusCode: 429, error: 'Too Many Requests', message: `too many failed sign-ins; try again in ${Math.ceil(wait / 1000)} s` }, HttpStatus.TOO_MANY_REQUESTS);
    }
    const user = await this.users.checkPassword(email, body.password);
    // Every sign-in is on the audit log, failed ones too (who was tried, from where).
    const audited = (action: string, actor: AuditActor) =>
      this.audit.record(this.dataSource.manager, { at: new Date(), actor, action, entityType: 'user', entityId: user?.id ?? email, after: { email, client } });
    if (!user) {
      await this.limiter.fail(keys.pair, FREE_PER_EMAIL_AND_CLIENT);
      await this.limiter.fail(keys.client, FREE_PER_CLIENT);
      await audited('user.sign_in_failed', { type: 'anonymous', id: null, name: client });
      throw new UnauthorizedException('wrong email or password');
    }
    await this.limiter.clear(keys.pair);
    await audited('user.signed_in', { type: 'user', id: user.id, name: user.name });
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

/**
 * Who is signing in, for the limiter: the address in HEADROOM_CLIENT_IP_HEADER when Headroom
 * runs behind a proxy that sets it (the last entry of a list: the one the proxy added), else the
 * connection's own address. Behind a proxy without it every user would share one address.
 */
export function clientAddress(req: Pick<Request, 'headers' | 'socket'>, header: string | undefined): string {
  if (header) {
    const value = req.headers[header.toLowerCase()];
    const last = (Array.isArray(value) ? value.join(',') : (value ?? '')).split(',').map((s) => s.trim()).filter(Boolean).at(-1);
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
