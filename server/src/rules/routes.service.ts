import { NO_INHIBITION, type Inhibition } from './inhibit-rule';
import { selectRoute, type Route, type RoutedAlert } from './route-definition';

/**
 * The loaded routes (see route-definition.ts); the first that matches an alert applies. Also
 * holds the inhibition (inhibitRules, dependsOn; inhibit-rule.ts), which decides, like a route,
 * whether an incident that opens pages.
 */
export class RoutesService {
  constructor(
    private loaded: readonly Route[] = [],
    private inhibiting: Inhibition = NO_INHIBITION,
  ) {}

  /** Swaps in reloaded routes; alerts already grouped keep their incidents. */
  replace(routes: readonly Route[]): void {
    this.loaded = routes;
  }

  /** Swaps in reloaded inhibit rules and dependencies; incidents already linked stay linked. */
  replaceInhibition(inhibition: Inhibition): void {
    this.inhibiting = inhibition;
  }

  inhibition(): Inhibition {
    return this.inhibiting;
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
