import { ForbiddenException, Injectable, SetMetadata, UnauthorizedException, applyDecorators, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from './api-token.entity';
import { Public } from './auth.decorators';
import { AuthService, roleAllows } from './auth.service';
import type { IntegrationKind } from './integration-key.entity';
import { IntegrationKeysService, type IntegrationKeyView } from './integration-keys.service';

const KIND_KEY = 'headroom:integration-kind';
const OR_ROLE_KEY = 'headroom:integration-or-role';

/** Reads the key from `Authorization: Bearer <key>` or basic auth (the key as the password). */
export function keyFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+(\S+)$/i.exec(header);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : decoded;
  }
  return null;
}

@Injectable()
export class IntegrationKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IntegrationKeysService,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.get<IntegrationKind>(KIND_KEY, ctx.getHandler()) ?? this.reflector.get<IntegrationKind>(KIND_KEY, ctx.getClass());
    const req = ctx.switchToHttp().getRequest();
    const key = requiredKey(req.headers.authorization, kind);
    const found = await this.keys.verify(key, kind);
    if (found) {
      req.integration = found;
      return true;
    }
    // Some endpoints also take a person's API token (a responder posting by hand).
    const orRole = this.reflector.get<Role>(OR_ROLE_KEY, ctx.getHandler()) ?? this.reflector.get<Role>(OR_ROLE_KEY, ctx.getClass());
    const principal = orRole ? await this.auth.authenticate(key) : null;
    if (principal && orRole) {
      if (!roleAllows(principal.role, orRole)) throw new ForbiddenException(`this needs an ${kind} integration key or the ${orRole} role; your token has ${principal.role}`);
      req.principal = principal;
      return true;
    }
    throw invalidKey(kind, orRole);
  }
}

/** The key in the Authorization header; a 401 saying how to send one when there is none. */
function requiredKey(header: string | undefined, kind: IntegrationKind): string {
  const key = keyFromAuthorization(header);
  if (!key) throw new UnauthorizedException(`an ${kind} integration key is required (Authorization: Bearer <key>, or basic auth with the key as password)`);
  return key;
}

const invalidKey = (kind: IntegrationKind, orRole?: Role) =>
  new UnauthorizedException(orRole ? `invalid or revoked ${kind} integration key or API token` : `invalid or revoked ${kind} integration key`);

/** What the guard does for an IntegrationEndpoint: the verified key, or a 401 saying why. */
export async function authenticateIntegration(keys: IntegrationKeysService, header: string | undefined, kind: IntegrationKind): Promise<IntegrationKeyView> {
  const found = await keys.verify(requiredKey(header, kind), kind);
  if (!found) throw invalidKey(kind);
  return found;
}

/** The route is authenticated by an integration key of this kind instead of an API token. */
export const IntegrationEndpoint = (kind: IntegrationKind) => applyDecorators(Public(), SetMetadata(KIND_KEY, kind), UseGuards(IntegrationKeyGuard));

/** Like IntegrationEndpoint, and an API token of at least `role` is accepted too. */
export const IntegrationOrRoleEndpoint = (kind: IntegrationKind, role: Role) =>
  applyDecorators(Public(), SetMetadata(KIND_KEY, kind), SetMetadata(OR_ROLE_KEY, role), UseGuards(IntegrationKeyGuard));
