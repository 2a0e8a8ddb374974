import { selectRoute, type Route, type RoutedAlert } from './route-definition';

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

  select(alert: RoutedAlert): Route {
    return selectRoute(this.loaded, alert);
  }

  /**
   * The route an incident follows: the one that grouped its alerts, else (SLO, guardrail and
   * manual incidents) the first whose matchers its labels, service and severity satisfy.
   */
  forIncident(incident: { route: string | null; labels: Record<string, string> | null; service: string; severity: string; source: string }): Route {
    const named = incident.route ? this.loaded.find((r) => r.name === incident.route) : undefined;
    return named ?? selectRoute(this.loaded, { labels: incident.labels ?? {}, service: incident.service, severity: incident.severity as never, source: incident.source as never });
  }
}
