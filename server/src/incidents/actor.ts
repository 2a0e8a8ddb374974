export type ActorType = 'user' | 'slack' | 'system' | 'integration';

/** Who did something: a console/API user, a Slack user, an integration, or Headroom itself. */
export interface Actor {
  type: ActorType;
  id: string | null;
  name: string;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, name: 'Headroom' };
