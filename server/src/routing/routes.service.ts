import type { IncomingAlert } from './alert';
import { selectRoute, type Route } from './route-definition';

/** The loaded routes (see route-definition.ts); the first that matches an alert applies. */
export class RoutesService {
  constructor(private loaded: readonly Route[] = []) {}

  /** Swaps in reloaded routes; alerts already grouped keep their incidents. */
  replace(routes: readonly Route[]): void {
    this.loaded = routes;
  }

  all(): readonly Route[] {
    return this.loaded;
  }

  select(alert: Pick<IncomingAlert, 'labels' | 'service' | 'severity' | 'source'>): Route {
    return selectRoute(this.loaded, alert);
  }
}
