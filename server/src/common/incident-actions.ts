/**
 * Buttons that a downstream stage (rollback) adds to an incident's page, and the handlers for
 * their clicks. Notify renders and dispatches them without importing that stage; the stage
 * registers a provider at start. Like the signal bus, it keeps the pipeline one-way.
 */
export interface IncidentButton {
  /** Starts with EXTENSION_ACTION_PREFIX so the Slack receiver routes the click here. */
  actionId: string;
  text: string;
  value: string;
  style?: 'primary' | 'danger';
  /** A confirmation dialog before the click counts. */
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

/** Who clicked: the chat platform's user id, named as the Headroom user when there is one. */
export interface ClickActor {
  type: 'slack';
  id: string;
  name: string;
  /** Whether Headroom lets them act on incidents (a responder or admin; decided by the receiver). */
  allowed: boolean;
}

export interface IncidentActionProvider {
  /** The buttons to show on this incident's page now (the page is re-rendered on every change). */
  buttons(incidentId: number): Promise<IncidentButton[]>;
  /** Handles a click on one of its buttons; returns false when the action id is not its own. */
  click(actionId: string, value: string, actor: ClickActor): Promise<boolean>;
}

export const EXTENSION_ACTION_PREFIX = 'x.';

export class IncidentActions {
  private readonly providers: IncidentActionProvider[] = [];

  register(provider: IncidentActionProvider): void {
    this.providers.push(provider);
  }

  async buttons(incidentId: number): Promise<IncidentButton[]> {
    const all: IncidentButton[] = [];
    for (const p of this.providers) all.push(...(await p.buttons(incidentId)));
    return all;
  }

  async click(actionId: string, value: string, actor: ClickActor): Promise<boolean> {
    for (const p of this.providers) if (await p.click(actionId, value, actor)) return true;
    return false;
  }
}
