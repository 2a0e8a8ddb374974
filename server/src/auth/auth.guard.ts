import { Injectable, UnauthorizedException, ForbiddenException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from './api-token.entity';
import { PUBLIC_KEY, ROLE_KEY } from './auth.decorators';
import { AuthService, roleAllows } from './auth.service';

/** Global guard: every route needs a bearer API token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest();
    const header = String(req.headers.authorization ?? '');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthorizedException('Authorization: Bearer <API token> is required');
    const principal = await this.auth.authenticate(match[1]);
    if (!principal) throw new UnauthorizedException('invalid or revoked API token');
    const required = this.reflector.getAllAndOverride<Role>(ROLE_KEY, targets) ?? 'viewer';
    if (!roleAllows(principal.role, required)) {
      throw new ForbiddenException(`this needs the ${required} role; your token has ${principal.role}`);
    }
    req.principal = principal;
    return true;
  }
}
