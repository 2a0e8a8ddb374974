import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from './api-token.entity';
import { PUBLIC_KEY, ROLE_KEY } from './auth.decorators';
import { AuthService, roleAllows } from './auth.service';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { csrfProblem } from './csrf';
import { sessionToken } from './session-cookie';
import { UsersService } from './users.service';

/**
 * Global guard: every route needs credentials unless marked @Public() — a bearer API token
 * (scripts, integrations) or the console's session cookie (a signed-in user) — and the role the
 * route asks for (viewer by default).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly users: UsersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest();
    const header = String(req.headers.authorization ?? '');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    let principal;
    if (match) {
      principal = await this.auth.authenticate(match[1]);
      if (!principal) throw new UnauthorizedException('invalid or revoked API token');
    } else {
      const session = sessionToken(req);
      if (!session) throw new UnauthorizedException('sign in, or send Authorization: Bearer <API token>');
      principal = await this.users.principalForSession(session);
      if (!principal) throw new UnauthorizedException('your session has ended; sign in again');
      const forged = csrfProblem(req.method, req.headers, this.config.publicUrl);
      if (forged) throw new ForbiddenException(forged);
    }
    const required = this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? 'viewer';
    if (!roleAllows(principal.role, required)) {
      throw new ForbiddenException(`this needs the ${required} role; you have ${principal.role}`);
    }
    req.principal = principal;
    return true;
  }
}
