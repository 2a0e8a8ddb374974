import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../support/seeded-random';

export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  at: number;
}

interface StoredMessage {
  ts: string;
  channel: string;
  text: string;
  blocks?: unknown;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  /** For a direct message: the user id it was posted to. */
  user?: string;
  /** When the fake received the post (Date.now()). */
  at: number;
}

type Failure = { status: number; retryAfter?: number; error?: string };

/**
 * A small fake of the Slack Web API speaking its real protocol (POST /api/<method>, form or
 * JSON bodies, `{ok: …}` answers, 429 with Retry-After). It records every call, keeps posted
 * messages so chat.update and conversations.history behave, and can be told to fail.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly messages: StoredMessage[] = [];
  /** Posts to response URLs (`responseUrl(name)`): the ephemeral answers to clicks and commands. */
  readonly responses: Array<{ name: string; body: Record<string, unknown> }> = [];
  /** Workspace members that users.info and users.lookupByEmail know. */
  private readonly members: Array<{ id: string; email: string; name: string }> = [];
  private readonly failures: Array<{ method: string; failure: Failure }> = [];
  private server?: http.Server;
  private seq = 0;
  private randomFailureRate = 0;
  private resets = false;
  private lostPostRate = 0;
  private random: () => number = Math.random;
  private readonly brokenChannels = new Map<string, string>();
  private readonly held = new Map<string, number>();
  private readonly heldTimers = new Set<NodeJS.Timeout>();
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    for (const timer of this.heldTimers) clearTimeout(timer);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** The next call of `method` fails this way (queue several for several calls). */
  failNext(method: string, failure: Failure): void {
    this.failures.push({ method, failure });
  }

  /**
   * From now on a share `rate` of calls (chosen by a seeded generator, so a run can be
   * repeated) fails: 429 with Retry-After: 1 or 500, half and half, or with `resets` a third
   * each and the connection reset. With `lostPosts`, that share of the posts Slack did make are
   * answered 500 all the same (the answer lost on its way back). 0 turns it off.
   */
  failRandomly(rate: number, seed = 1, opts: { resets?: boolean; lostPosts?: number } = {}): void {
    this.randomFailureRate = rate;
    this.resets = opts.resets ?? false;
    this.lostPostRate = opts.lostPosts ?? 0;
    this.random = seededRandom(seed);
  }

  /** chat.* calls to `channel` fail permanently with `error`, as they do for a deleted channel. */
  failChannel(channel: string, error = 'channel_not_found'): void {
    this.brokenChannels.set(channel, error);
  }

  /** The channel works again (it was re-created, the bot was invited). */
  healChannel(channel: string): void {
    this.brokenChannels.delete(channel);
  }

  /**
   * Calls of `method` are carried out (Slack has the message) but the answer is held back
   * `ms` milliseconds: a process killed meanwhile never learns that its send got through.
   */
  holdAnswers(method: string, ms: number): void {
    this.held.set(method, ms);
  }

  /** Posts that started a conversation (not thread replies), in the order Slack received them. */
  topLevelPosts(): StoredMessage[] {
    return this.messages.filter((m) => !m.thread_ts);
  }

  /** Direct messages posted to a user id (chat.postMessage with channel U…). */
  directMessagesTo(userId: string): StoredMessage[] {
    return this.messages.filter((m) => m.user === userId);
  }

  /** A Slack workspace member with a profile email (for users.info and users.lookupByEmail). */
  addMember(id: string, email: string, name: string): void {
    this.members.push({ id, email, name });
  }

  /** A response_url for a click or command payload; what is posted to it lands in `responses`. */
  responseUrl(name: string): string {
    return this.url.replace(/\/api\/$/, `/response/${name}`);
  }

  responsesTo(name: string): Array<Record<string, unknown>> {
    return this.responses.filter((r) => r.name === name).map((r) => r.body);
  }

  callsTo(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
    const body = parseBody(raw, String(req.headers['content-type'] ?? ''));
    this.calls.push({ method, body, headers: req.headers, at: Date.now() });

    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(json));
    };
    const response = /^\/response\/(.+)$/.exec(req.url ?? '');
    if (response) {
      this.responses.push({ name: response[1], body });
      return send(200, { ok: true });
    }
    if (!String(req.headers.authorization ?? '').startsWith('Bearer ')) return send(200, { ok: false, error: 'not_authed' });
    const broken = this.brokenChannels.get(String(body.channel ?? ''));
    if (broken && method.startsWith('chat.')) return send(200, { ok: false, error: broken });
    if (this.randomFailureRate > 0 && method !== 'auth.test' && this.random() < this.randomFailureRate) {
      const kind = this.random() * (this.resets ? 3 : 2);
      if (kind >= 2) return void req.socket.destroy();
      return kind < 1
        ? send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' })
        : send(500, { ok: false, error: 'internal_error' });
    }
    if (this.lostPostRate > 0 && method === 'chat.postMessage' && this.random() < this.lostPostRate) {
      // Slack keeps the message; the caller never learns it.
      return this.answer(method, body, () => send(500, { ok: false, error: 'internal_error' }));
    }
    const holdMs = this.held.get(method);
    if (holdMs) {
      const answer = send;
      const delayed = (status: number, json: unknown, headers: Record<string, string> = {}) => {
        const timer = setTimeout(() => {
          this.heldTimers.delete(timer);
          if (!res.destroyed) answer(status, json, headers);
        }, holdMs);
        this.heldTimers.add(timer);
      };
      return this.answer(method, body, delayed);
    }
    const failIndex = this.failures.findIndex((f) => f.method === method);
    if (failIndex >= 0) {
      const { failure } = this.failures.splice(failIndex, 1)[0];
      if (failure.status === 429) return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter ?? 1) });
      if (failure.status >= 500) return send(failure.status, { ok: false, error: 'internal_error' });
      return send(200, { ok: false, error: failure.error ?? 'invalid_auth' });
    }
    return this.answer(method, body, send);
  }

  private answer(method: string, body: Record<string, unknown>, send: (status: number, json: unknown, headers?: Record<string, string>) => void): void {
    switch (method) {
      case 'auth.test':
        return send(200, { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0001' });
      case 'chat.postMessage': {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
        // As Slack does: posting to a user id opens (or reuses) the DM with them, a D… channel.
        const to = String(body.channel);
        const user = /^[UW][A-Z0-9]+$/.test(to) ? to : null;
        const message: StoredMessage = {
          ts,
          channel: user ? `D${user.slice(1)}` : to,
          ...(user ? { user } : {}),
          text: String(body.text ?? ''),
          blocks: body.blocks,
          metadata: body.metadata as StoredMessage['metadata'],
          thread_ts: body.thread_ts as string | undefined,
          at: Date.now(),
        };
        this.messages.push(message);
        return send(200, { ok: true, channel: message.channel, ts, message });
      }
      case 'chat.update': {
        const found = this.messages.find((m) => m.ts === body.ts && m.channel === body.channel);
        if (!found) return send(200, { ok: false, error: 'message_not_found' });
        found.text = String(body.text ?? found.text);
        found.blocks = body.blocks;
        return send(200, { ok: true, channel: found.channel, ts: found.ts });
      }
      case 'conversations.open': {
        const user = String(body.users ?? '').split(',')[0];
        if (!/^[UW][A-Z0-9]+$/.test(user)) return send(200, { ok: false, error: 'user_not_found' });
        return send(200, { ok: true, channel: { id: `D${user.slice(1)}` } });
      }
      case 'conversations.history': {
        const oldest = Number(body.oldest ?? 0);
        const messages = this.messages
          .filter((m) => m.channel === body.channel && !m.thread_ts && Number(m.ts) >= oldest)
          .reverse();
        return send(200, { ok: true, messages, has_more: false });
      }
      case 'conversations.replies': {
        // The parent and its replies, oldest first, as Slack answers.
        const thread = this.messages.filter((m) => m.channel === body.channel && (m.ts === body.ts || m.thread_ts === body.ts));
        if (thread.length === 0) return send(200, { ok: false, error: 'thread_not_found' });
        return send(200, { ok: true, messages: thread, has_more: false });
      }
      case 'users.info': {
        const member = this.members.find((u) => u.id === body.user);
        if (!member) return send(200, { ok: false, error: 'user_not_found' });
        return send(200, { ok: true, user: { id: member.id, name: member.name, profile: { email: member.email, real_name: member.name } } });
      }
      case 'users.lookupByEmail': {
        const member = this.members.find((u) => u.email.toLowerCase() === String(body.email).toLowerCase());
        if (!member) return send(200, { ok: false, error: 'users_not_found' });
        return send(200, { ok: true, user: { id: member.id, name: member.name, profile: { email: member.email } } });
      }
      default:
        return send(200, { ok: false, error: 'unknown_method' });
    }
  }
}

/** The Web API client sends form-encoded bodies with nested values as JSON strings. */
function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw);
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}
