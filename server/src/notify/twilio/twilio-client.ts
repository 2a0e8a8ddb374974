import { boundedFetch, BoundedFetchError, type BoundedResponse } from '../../common/bounded-fetch';
import type { TwilioConfig } from '../../config/config';
import { DeliveryError } from '../delivery-error';
import { twilioError, twilioNetworkError } from './twilio-errors';

/** The parts of Twilio's Message resource Headroom reads. Dates are RFC 2822 strings, as Twilio sends them. */
export interface TwilioMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  date_created: string | null;
}

/** The parts of Twilio's Call resource Headroom reads. */
export interface TwilioCall {
  sid: string;
  to: string;
  from: string;
  status: string;
  date_created: string | null;
}

/** Twilio answers are small; a list page of 1000 messages stays well under this. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
const TIMEOUT_MS = 10_000;
/** The most a list look-up reads: the sends to one person within one retry window are far fewer. */
const PAGE_SIZE = 1000;

/**
 * Twilio's REST API (2010-04-01) over fetch, for the two resources Headroom uses: Messages (SMS)
 * and Calls (voice). Form-encoded bodies, HTTP basic auth with the account SID and auth token,
 * JSON answers; every failure thrown as a DeliveryError classified by twilioError. The twilio
 * SDK would bring far more than these four requests.
 */
export class TwilioClient {
  constructor(
    private readonly account: TwilioConfig,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get from(): string {
    return this.account.from;
  }

  async createMessage(to: string, body: string): Promise<TwilioMessage> {
    return this.request<TwilioMessage>('send SMS', 'POST', 'Messages.json', new URLSearchParams({ To: to, From: this.account.from, Body: body }));
  }

  /** A call that runs `twiml` when answered (Twilio's `Twiml` parameter: no URL to fetch it from). */
  async createCall(to: string, twiml: string): Promise<TwilioCall> {
    return this.request<TwilioCall>('place call', 'POST', 'Calls.json', new URLSearchParams({ To: to, From: this.account.from, Twiml: twiml }));
  }

  /**
   * Messages from Headroom's number to `to` sent since `since`, and those Twilio still holds
   * queued (no send date yet, so the date filter leaves them out), newest first.
   */
  async messagesTo(to: string, since: Date): Promise<TwilioMessage[]> {
    const list = async (filter: Record<string, string>) =>
      (await this.request<{ messages?: TwilioMessage[] }>('look for an earlier SMS', 'GET', `Messages.json?${this.listQuery(to, filter)}`)).messages ?? [];
    return [...(await list({ Status: 'queued' })), ...(await list({ 'DateSent>': twilioTime(since) }))];
  }

  /** Calls from Headroom's number to `to` started since `since`, and those still queued (no start time yet). */
  async callsTo(to: string, since: Date): Promise<TwilioCall[]> {
    const list = async (filter: Record<string, string>) =>
      (await this.request<{ calls?: TwilioCall[] }>('look for an earlier call', 'GET', `Calls.json?${this.listQuery(to, filter)}`)).calls ?? [];
    return [...(await list({ Status: 'queued' })), ...(await list({ 'StartTime>': twilioTime(since) }))];
  }

  private listQuery(to: string, filter: Record<string, string>): URLSearchParams {
    return new URLSearchParams({ To: to, From: this.account.from, ...filter, PageSize: String(PAGE_SIZE) });
  }

  private async request<T>(what: string, method: 'GET' | 'POST', resource: string, form?: URLSearchParams): Promise<T> {
    const url = `${this.account.apiUrl}/2010-04-01/Accounts/${encodeURIComponent(this.account.accountSid)}/${resource}`;
    const headers: Record<string, string> = {
      Authorization: `Basic ${Buffer.from(`${this.account.accountSid}:${this.account.authToken}`).toString('base64')}`,
      Accept: 'application/json',
    };
    if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    let res: BoundedResponse;
    let text: string;
    try {
      res = await boundedFetch(url, { method, headers, body: form?.toString(), signal: AbortSignal.timeout(TIMEOUT_MS) }, MAX_ANSWER_BYTES);
      text = await res.text();
    } catch (err) {
      // A redirect elsewhere or an answer over the limit will not change on a retry.
      if (err instanceof BoundedFetchError) throw new DeliveryError(`twilio: ${what} failed: ${err.message}`, false);
      throw twilioNetworkError(what, err);
    }
    if (!res.ok) throw twilioError(what, res.status, text, res.headers.get('retry-after'), this.now());
    try {
      return JSON.parse(text) as T;
    } catch {
      // Taken or not, the retry looks for it first.
      throw new DeliveryError(`twilio: ${what}: the answer (HTTP ${res.status}) is not JSON: ${text.slice(0, 100)}`, true);
    }
  }
}

/** A time as Twilio's list filters take it: ISO 8601 to the second, in UTC. */
function twilioTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
