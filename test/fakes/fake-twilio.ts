import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import { closeLocally, listenLocally } from './local-http';

/** A request as the fake received it. */
export interface TwilioRequest {
  method: string;
  /** `Messages.json` or `Calls.json`. */
  resource: string;
  query: URLSearchParams;
  form: URLSearchParams;
  headers: http.IncomingHttpHeaders;
}

interface StoredMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  created: Date;
  /** date_sent: null while Twilio still holds it queued. */
  started: Date | null;
}

interface StoredCall {
  sid: string;
  to: string;
  from: string;
  twiml: string;
  status: string;
  created: Date;
  /** start_time: null while the call is queued. */
  started: Date | null;
}

/**
 * How the next create of a resource fails: with Twilio's error answer (`status`, `code`,
 * `message`, maybe `retryAfter` seconds), or — `lostAnswer` — carried out and answered 500, as
 * when the answer is lost on its way back and the sender cannot know it got through.
 */
export type TwilioFailure = { status: number; code: number; message: string; retryAfter?: number } | { lostAnswer: true };

/**
 * A small fake of Twilio's REST API (2010-04-01) speaking its protocol: POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json and Calls.json with form-encoded bodies, HTTP
 * basic auth with the account SID and auth token (401 with code 20003 otherwise), 201 with the
 * resource's JSON, a 'To' that is not E.164 refused with 400 and code 21211 as Twilio does, and
 * the list endpoints (GET, filtered by To, From, Status, DateSent> / StartTime>) a sender reads to
 * find an earlier attempt. Failures are queued per resource with failNext.
 */
export class FakeTwilio {
  readonly requests: TwilioRequest[] = [];
  readonly messages: StoredMessage[] = [];
  readonly calls: StoredCall[] = [];
  private readonly failures: Array<{ resource: string; failure: TwilioFailure }> = [];
  private server?: http.Server;
  /** Whether what is created stays queued (no send date or start time yet), as under Twilio's per-number pace. */
  holdQueued = false;
  url = '';

  constructor(
    readonly accountSid = `AC${'0123456789abcdef'.repeat(2)}`,
    readonly authToken = 'fake-twilio-auth-token',
  ) {}

  async start(): Promise<this> {
    ({ server: this.server, url: this.url } = await listenLocally((req, res) => this.handle(req, res)));
    return this;
  }

  stop(): Promise<void> {
    return closeLocally(this.server);
  }

  /** The next create of `resource` (`Messages.json`, `Calls.json`) fails this way; queue several for several. */
  failNext(resource: 'Messages.json' | 'Calls.json', failure: TwilioFailure): void {
    this.failures.push({ resource, failure });
  }

  /** Creates (POSTs) of a resource received, whether they succeeded or not. */
  creates(resource: 'Messages.json' | 'Calls.json'): TwilioRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && r.resource === resource);
  }

  /** A message or call made some other way (the console, an earlier incident): `created` is when Twilio took it. */
  addMessage(m: Omit<StoredMessage, 'sid' | 'status' | 'started'>): string {
    const sid = newSid('SM');
    this.messages.push({ sid, status: 'delivered', started: m.created, ...m });
    return sid;
  }

  addCall(c: Omit<StoredCall, 'sid' | 'status' | 'twiml' | 'started'>): string {
    const sid = newSid('CA');
    this.calls.push({ sid, status: 'completed', twiml: '', started: c.created, ...c });
    return sid;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(json));
    };
    const problem = (status: number, code: number, message: string, headers: Record<string, string> = {}) =>
      send(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);

    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages\.json|Calls\.json)$/.exec(url.pathname);
    if (!m) return problem(404, 20404, 'The requested resource was not found');
    const [, sid, resource] = m;
    const isForm = String(req.headers['content-type'] ?? '').split(';')[0].trim() === 'application/x-www-form-urlencoded';
    const form = req.method === 'POST' && isForm ? new URLSearchParams(raw) : new URLSearchParams();
    this.requests.push({ method: req.method ?? '', resource, query: url.searchParams, form, headers: req.headers });

    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected || sid !== this.accountSid) return problem(401, 20003, 'Authenticate');

    if (req.method === 'GET') return send(200, this.list(resource, url.searchParams));
    if (req.method !== 'POST') return problem(405, 20004, 'Method not allowed');
    if (!isForm) return problem(400, 20001, 'Parameters must be form-encoded (application/x-www-form-urlencoded)');

    const failure = this.takeFailure(resource);
    if (failure && !('lostAnswer' in failure)) {
      return problem(failure.status, failure.code, failure.message, failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {});
    }
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? '';
    if (!to) return problem(400, 21604, "A 'To' phone number is required.");
    if (!/^\+[1-9]\d{1,14}$/.test(to)) return problem(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    let created: Record<string, unknown>;
    if (resource === 'Messages.json') {
      const body = form.get('Body');
      if (!body) return problem(400, 21602, 'Message body is required.');
      const message: StoredMessage = { sid: newSid('SM'), to, from, body, status: 'queued', created: new Date(), started: null };
      created = messageJson(message, this.accountSid);
      this.messages.push(this.holdQueued ? message : { ...message, status: 'sent', started: message.created });
    } else {
      const twiml = form.get('Twiml');
      if (!twiml && !form.get('Url')) return problem(400, 21205, 'Url parameter is required.');
      const call: StoredCall = { sid: newSid('CA'), to, from, twiml: twiml ?? '', status: 'queued', created: new Date(), started: null };
      created = callJson(call, this.accountSid);
      this.calls.push(this.holdQueued ? call : { ...call, status: 'in-progress', started: call.created });
    }
    if (failure) return problem(500, 20500, 'Internal Server Error');
    send(201, created);
  }

  private takeFailure(resource: string): TwilioFailure | undefined {
    const i = this.failures.findIndex((f) => f.resource === resource);
    return i < 0 ? undefined : this.failures.splice(i, 1)[0].failure;
  }

  private list(resource: string, query: URLSearchParams): Record<string, unknown> {
    const since = query.get(resource === 'Messages.json' ? 'DateSent>' : 'StartTime>');
    const after = since ? Date.parse(/^\d{4}-\d\d-\d\d$/.test(since) ? `${since}T00:00:00Z` : since) : -Infinity;
    const pageSize = Number(query.get('PageSize') ?? 50);
    const status = query.get('Status');
    // As at Twilio, a date filter matches only what has the date: a queued message has no date_sent yet.
    const keep = (r: { to: string; from: string; status: string; started: Date | null }) =>
      (!query.get('To') || r.to === query.get('To')) &&
      (!query.get('From') || r.from === query.get('From')) &&
      (!status || r.status === status) &&
      (!since || (r.started !== null && r.started.getTime() >= after));
    const newestFirst = <T extends { created: Date }>(rows: T[]) => [...rows].sort((a, b) => b.created.getTime() - a.created.getTime()).slice(0, pageSize);
    return resource === 'Messages.json'
      ? { messages: newestFirst(this.messages.filter(keep)).map((m) => messageJson(m, this.accountSid)), next_page_uri: null, page_size: pageSize }
      : { calls: newestFirst(this.calls.filter(keep)).map((c) => callJson(c, this.accountSid)), next_page_uri: null, page_size: pageSize };
  }
}

function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/** Dates as Twilio writes them: RFC 2822, "Tue, 08 Dec 2026 03:00:00 +0000". */
function rfc2822(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

function messageJson(m: StoredMessage, accountSid: string): Record<string, unknown> {
  return {
    sid: m.sid, account_sid: accountSid, to: m.to, from: m.from, body: m.body, status: m.status, direction: 'outbound-api', num_segments: '1',
    date_created: rfc2822(m.created), date_updated: rfc2822(m.created), date_sent: m.started && rfc2822(m.started), error_code: null, error_message: null,
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
  };
}

function callJson(c: StoredCall, accountSid: string): Record<string, unknown> {
  return {
    sid: c.sid, account_sid: accountSid, to: c.to, from: c.from, status: c.status, direction: 'outbound-api',
    date_created: rfc2822(c.created), date_updated: rfc2822(c.created), start_time: c.started && rfc2822(c.started), end_time: null,
    uri: `/2010-04-01/Accounts/${accountSid}/Calls/${c.sid}.json`,
  };
}
