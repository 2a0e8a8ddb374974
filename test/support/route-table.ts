import 'reflect-metadata';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { PUBLIC_KEY, ROLE_KEY } from '../../server/src/auth/auth.decorators';
import type { Role } from '../../server/src/auth/api-token.entity';

export interface RouteInfo {
  method: string;
  path: string;
  /** Marked @Public(): health, metrics, sign-in, and endpoints with their own authentication. */
  isPublic: boolean;
  /** The lowest role the global guard asks for (viewer when the route names none). */
  role: Role;
  controller: string;
  handler: string;
}

type Ctor = new (...args: never[]) => unknown;

/**
 * Every HTTP route the application module declares, read from Nest's own decorator metadata:
 * walks the module graph from the root module and lists each controller method's verb, path,
 * @Public and @RequireRole. A new controller is in the table without anyone adding it.
 */
export function routeTable(root: unknown): RouteInfo[] {
  const seen = new Set<unknown>();
  const controllers = new Set<Ctor>();
  const visit = (mod: unknown) => {
    if (!mod || seen.has(mod)) return;
    seen.add(mod);
    // A dynamic module ({ module, controllers, imports }) or a module class.
    const m = mod as { module?: Ctor; controllers?: Ctor[]; imports?: unknown[] };
    const cls = (typeof mod === 'function' ? mod : m.module) as Ctor | undefined;
    for (const c of [...(m.controllers ?? []), ...((cls && Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls)) ?? [])]) controllers.add(c);
    for (const i of [...(m.imports ?? []), ...((cls && Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls)) ?? [])]) visit(i);
  };
  visit(root);
  const routes: RouteInfo[] = [];
  for (const c of controllers) {
    const base = [Reflect.getMetadata(PATH_METADATA, c) ?? ''].flat()[0] as string;
    for (const name of Object.getOwnPropertyNames(c.prototype)) {
      const handler = (c.prototype as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (verb === undefined) continue;
      for (const sub of [Reflect.getMetadata(PATH_METADATA, handler) ?? ''].flat() as string[]) {
        const path = `/${[base, sub].filter((p) => p && p !== '/').map((p) => p.replace(/^\/|\/$/g, '')).join('/')}`;
        routes.push({
          method: RequestMethod[verb],
          path,
          isPublic: Boolean(Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, c)),
          role: (Reflect.getMetadata(ROLE_KEY, handler) ?? Reflect.getMetadata(ROLE_KEY, c) ?? 'viewer') as Role,
          controller: c.name,
          handler: name,
        });
      }
    }
  }
  return routes;
}

/** A concrete URL for a route pattern: the guard answers before any parameter is parsed. */
export function concretePath(pattern: string): string {
  return pattern.replace(/:(\w+)/g, (_, name: string) => (/id$/i.test(name) ? '00000000-0000-4000-8000-000000000001' : 'x'));
}
