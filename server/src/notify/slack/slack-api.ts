import { ErrorCode, WebClient, type ChatPostMessageArguments } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import { DeliveryError } from '../delivery-error';

export interface SlackMessage {
  channel: string;
  text: string;
  blocks?: KnownBlock[];
  threadTs?: string;
  /** Slack message metadata; lets us find a page we may have sent before a crash. */
  metadata?: { eventType: string; payload: Record<string, string | number> };
}

/** The part of the Slack Web API Headroom uses, behind an interface so tests can swap it. */
export interface SlackApi {
  postMessage(message: SlackMessage): Promise<{ channel: string; ts: string }>;
  update(channel: string, ts: string, text: string, blocks: KnownBlock[]): Promise<void>;
  /**
   * The ts of a recent message in `channel` whose metadata carries `key`, if any. Throws (a
   * DeliveryError) when Slack could not be asked: "could not look" is never "not there".
   */
  findByMetadataKey(channel: string, eventType: string, key: string, oldest: Date): Promise<string | null>;
  /** The same, among the replies in the thread of `threadTs`. */
  findReplyByMetadataKey(channel: string, threadTs: string, eventType: string, key: string): Promise<string | null>;
  /** The id (D…) of the direct-message conversation with a user, opening it if needed (conversations.open). */
  openDirectMessage(userId: string): Promise<string>;
}

const PERMANENT = new Set([
  'invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission',
  'missing_scope', 'channel_not_found', 'not_in_channel', 'is_archived', 'msg_too_long', 'invalid_blocks',
  'invalid_arguments', 'message_not_found', 'cant_update_message', 'restricted_action',
]);

/** Pages of 200 messages a look-up reads at most (1,000 messages since the send it looks for). */
const LOOKUP_PAGES = 5;

/** Slack's timeout for one Web API call; a worker's claim covers it before each call (SLACK_CALL_TIMEOUT_MS + margin). */
export const SLACK_CALL_TIMEOUT_MS = 10_000;

export function classifySlackError(err: unknown): DeliveryError {
  const e = err as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number; message?: string };
  switch (e.code) {
    case ErrorCode.RateLimitedError:
      return new DeliveryError('slack: ratelimited', true, Math.max(1, e.retryAfter ?? 1) * 1000);
    case ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      // Slack's own transient errors (internal_error, fatal_error, service_unavailable…) retry.
      return new DeliveryError(`slack: ${code}`, !PERMANENT.has(code));
    }
    case ErrorCode.HTTPError:
      return new DeliveryError(`slack: HTTP ${e.statusCode}`, (e.statusCode ?? 500) >= 500 || e.statusCode === 429);
    case ErrorCode.RequestError:
      return new DeliveryError(`slack: network error: ${e.message}`, true);
    default:
      return new DeliveryError(`slack: ${e.message ?? String(err)}`, true);
  }
}

/** The real Web API through @slack/web-api, with its own retries off: the outbox retries. */
export class WebClientSlackApi implements SlackApi {
  private readonly client: WebClient;

  constructor(token: string, apiUrl: string, timeoutMs = SLACK_CALL_TIMEOUT_MS) {
    this.client = new WebClient(token, {
      slackApiUrl: apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
    });
  }

  async postMessage(message: SlackMessage): Promise<{ channel: string; ts: string }> {
    try {
      const args = {
        channel: message.channel,
        text: message.text,
        blocks: message.blocks,
        thread_ts: message.threadTs,
        unfurl_links: false,
        ...(message.metadata
          ? { metadata: { event_type: message.metadata.eventType, event_payload: message.metadata.payload } }
          : {}),
      } as ChatPostMessageArguments;
      const res = await this.client.chat.postMessage(args);
      return { channel: String(res.channel), ts: String(res.ts) };
    } catch (err) {
      throw classifySlackError(err);
    }
  }

  async update(channel: string, ts: string, text: string, blocks: KnownBlock[]): Promise<void> {
    try {
      await this.client.chat.update({ channel, ts, text, blocks });
    } catch (err) {
      throw classifySlackError(err);
    }
  }

  async openDirectMessage(userId: string): Promise<string> {
    try {
      const res = await this.client.conversations.open({ users: userId });
      return String(res.channel?.id);
    } catch (err) {
      throw classifySlackError(err);
    }
  }

  async findByMetadataKey(channel: string, eventType: string, key: string, oldest: Date): Promise<string | null> {
    return this.findInPages(eventType, key, (cursor) =>
      this.client.conversations.history({ channel, oldest: String(oldest.getTime() / 1000), include_all_metadata: true, limit: 200, cursor }),
    );
  }

  async findReplyByMetadataKey(channel: string, threadTs: string, eventType: string, key: string): Promise<string | null> {
    return this.findInPages(eventType, key, (cursor) =>
      this.client.conversations.replies({ channel, ts: threadTs, include_all_metadata: true, limit: 200, cursor }),
    );
  }

  /** Reads pages of messages (newest first, by Slack's cursor) until one carries `key` in its metadata. */
  private async findInPages(
    eventType: string,
    key: string,
    page: (cursor: string | undefined) => Promise<{ messages?: Array<{ ts?: string; metadata?: { event_type?: string; event_payload?: unknown } }>; response_metadata?: { next_cursor?: string } }>,
  ): Promise<string | null> {
    let cursor: string | undefined;
    for (let n = 0; n < LOOKUP_PAGES; n++) {
      let res: Awaited<ReturnType<typeof page>>;
      try {
        res = await page(cursor);
      } catch (err) {
        throw classifySlackError(err);
      }
      const hit = res.messages?.find((m) => m.metadata?.event_type === eventType && (m.metadata?.event_payload as Record<string, unknown> | undefined)?.key === key);
      if (hit?.ts) return hit.ts;
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) return null;
    }
    return null;
  }
}
