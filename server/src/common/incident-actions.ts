/**
 * Buttons that another stage (rollback) adds to an incident's page, and the handlers for their
 * clicks. Notify renders and dispatches them through INCIDENT_ACTIONS without importing that
 * stage (notify and rollback never import each other); server/src/pipeline.ts provides it.
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

/** Injection token of the IncidentActionProvider behind the page's extra buttons. */
export const INCIDENT_ACTIONS = Symbol('INCIDENT_ACTIONS');
