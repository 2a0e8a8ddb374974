import { WebClient } from '@slack/web-api';

/** Injection token for the SlackDirectory implementation (null without Slack configured). */
export const SLACK_DIRECTORY = Symbol('SLACK_DIRECTORY');

/**
 * The two Slack user look-ups Headroom makes, behind an interface so tests can swap them.
 * Both need the bot scopes `users:read` and `users:read.email`.
 */
export interface SlackDirectory {
  /** The profile email of a Slack user (`users.info`); null when Slack has none. */
  emailOf(slackUserId: string): Promise<string | null>;
  /** The Slack user with this email (`users.lookupByEmail`); null when there is none. */
  idForEmail(email: string): Promise<string | null>;
}

/** Slack's answers that mean "no such person" rather than "something is wrong". */
const NOT_FOUND = new Set(['users_not_found', 'user_not_found']);

/** The real Web API. Errors other than "not found" are thrown for the caller to log. */
export class WebClientSlackDirectory implements SlackDirectory {
  private readonly client: WebClient;

  constructor(token: string, apiUrl: string, timeoutMs = 5_000) {
    this.client = new WebClient(token, { slackApiUrl: apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, timeout: timeoutMs });
  }

  async emailOf(slackUserId: string): Promise<string | null> {
    return notFoundAsNull(async () => (await this.client.users.info({ user: slackUserId })).user?.profile?.email ?? null);
  }

  async idForEmail(email: string): Promise<string | null> {
    return notFoundAsNull(async () => (await this.client.users.lookupByEmail({ email })).user?.id ?? null);
  }
}

async function notFoundAsNull(call: () => Promise<string | null>): Promise<string | null> {
  try {
    return await call();
  } catch (err) {
    if (NOT_FOUND.has((err as { data?: { error?: string } }).data?.error ?? '')) return null;
    throw err;
  }
}
