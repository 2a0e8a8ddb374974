import { Injectable, SetMetadata, UnauthorizedException, applyDecorators, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Public } from './auth.decorators';
import type { IntegrationKind } from './integration-key.entity';
import { IntegrationKeysService } from './integration-keys.service';

const KIND_KEY = 'headroom:integration-kind';

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
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.get<IntegrationKind>(KIND_KEY, ctx.getHandler()) ?? this.reflector.get<IntegrationKind>(KIND_KEY, ctx.getClass());
    const req = ctx.switchToHttp().getRequest();
    const key = keyFromAuthorization(req.headers.authorization);
    if (!key) throw new UnauthorizedException(`an ${kind} integration key is required (Authorization: Bearer <key>, or basic auth with the key as password)`);
    const found = await this.keys.verify(key, kind);
    if (!found) throw new UnauthorizedException(`invalid or revoked ${kind} integration key`);
    req.integration = found;
    return true;
  }
}

/** The route is authenticated by an integration key of this kind instead of an API token. */
export const IntegrationEndpoint = (kind: IntegrationKind) => applyDecorators(Public(), SetMetadata(KIND_KEY, kind), UseGuards(IntegrationKeyGuard));
