import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Role } from './api-token.entity';

export const PUBLIC_KEY = 'headroom:public';
export const ROLE_KEY = 'headroom:role';

/** No API token needed: health, metrics, and endpoints with their own authentication. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The lowest role allowed; every authenticated route defaults to viewer. */
export const RequireRole = (role: Role) => SetMetadata(ROLE_KEY, role);

export interface Principal {
  id: string;
  name: string;
  role: Role;
  /** An API token, or a person signed in to the console (then with their email). */
  kind?: 'token' | 'user';
  email?: string;
}

/** The actor (timeline, audit log) for a request: the token's or the signed-in user's name. */
export const userActor = (p: Principal) => ({ type: 'user' as const, id: p.id, name: p.name });

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal;
});
