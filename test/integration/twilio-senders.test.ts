import type { TwilioConfig } from '../../server/src/config/config';
import type { ContactMessage } from '../../server/src/notify/contact/contact-sender';
import { DeliveryError } from '../../server/src/notify/delivery-error';
import { TwilioClient } from '../../server/src/notify/twilio/twilio-client';
import { SmsSender, twilioSenders, VoiceSender } from '../../server/src/notify/twilio/twilio-senders';
import { FakeTwilio } from '../fakes/fake-twilio';
import { contactMessage } from '../support/contact-message';
import { freePort } from '../support/ports';
import { defaultConfig } from '../support/services';

/**
 * The SMS and voice senders against a fake Twilio speaking its REST API: what they send (form
 * body, basic auth), how Twilio's failures are classified for the outbox worker's retries, and
 * exactly once: a retried send finds the attempt that got through and sends nothing more.
 */
describe('Twilio senders (fake Twilio over HTTP)', () => {
  const twilio = new FakeTwilio();
  const FROM = '+15005550006';
  const ALICE = '+14155550100';
  let account: TwilioConfig;
  let sms: SmsSender;
  let voice: VoiceSender;

  beforeAll(async () => {
    await twilio.start();
    account = { accountSid: twilio.accountSid, authToken: twilio.authToken, from: FROM, apiUrl: twilio.url };
    const client = new TwilioClient(account);
    sms = new SmsSender(client);
    voice = new VoiceSender(client, 'https://headroom.example.com');
  });

  afterAll(() => twilio.stop());

  beforeEach(() => {
    twilio.holdQueued = false;
    twilio.requests.length = 0;
    twilio.messages.length = 0;
    twilio.calls.length = 0;
  });

  const page = (over: Partial<ContactMessage> = {}) => contactMessage({ address: ALICE, queuedAt: new Date(), ...over });
  /** Runs `send` and returns what it threw (the test fails if it did not throw). */
  const failure = async (send: Promise<unknown>): Promise<DeliveryError> => {
    const err = await send.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    return err as DeliveryError;
  };

  it('sends an SMS as a form-encoded POST with basic auth, and keeps Twilio\'s sid', async () => {
    const receipt = await sms.send(page());
    expect(twilio.creates('Messages.json')).toHaveLength(1);
    const [req] = twilio.creates('Messages.json');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`);
    expect(Object.fromEntries(req.form)).toEqual({
      To: ALICE,
      From: FROM,
      Body: 'CRITICAL #12 now-playing-ranker: now-playing-ranker availability burning 14x budget. Reply 4821 to acknowledge. https://headroom.example.com/#/incidents/12/show',
    });
    expect(receipt).toEqual({ provider: 'twilio', sid: twilio.messages[0].sid, status: 'queued' });
    expect(sms.lane()).toBe('twilio');
  });

  it('places a call whose inline TwiML says the incident and gathers 1 for the voice webhook', async () => {
    const receipt = await voice.send(page({ kind: 'voice', ackCode: '7305' }));
    const [req] = twilio.creates('Calls.json');
    expect(req.form.get('To')).toBe(ALICE);
    expect(req.form.get('From')).toBe(FROM);
    expect(req.form.get('Twiml')).toContain('<Gather numDigits="1" timeout="8" action="https://headroom.example.com/api/integrations/twilio/voice?code=7305" method="POST"><Say>Headroom page. critical incident 12');
    expect(receipt).toEqual({ provider: 'twilio', sid: twilio.calls[0].sid, status: 'queued' });
    expect(voice.lane()).toBe('twilio');
  });

  it('classifies a 429 as retryable after Retry-After, and the retry the worker makes gets through once', async () => {
    twilio.failNext('Messages.json', { status: 429, code: 20429, message: 'Too Many Requests', retryAfter: 2 });
    const err = await failure(sms.send(page()));
    expect(err).toMatchObject({ retryable: true, retryAfterMs: 2000, message: 'twilio: send SMS failed: HTTP 429: 20429 Too Many Requests' });
    // The worker retries the same message after the delay: it was not sent, so it is sent now, once.
    await sms.send(page({ retried: true }));
    expect(twilio.messages).toHaveLength(1);
    expect(twilio.creates('Messages.json')).toHaveLength(2);
  });

  it('classifies an invalid number (21211) and bad credentials (20003) as not retryable, with Twilio\'s code and message', async () => {
    const invalid = await failure(sms.send(page({ address: '555-0100' })));
    expect(invalid).toMatchObject({ retryable: false, message: "twilio: send SMS failed: HTTP 400: 21211 The 'To' number 555-0100 is not a valid phone number." });
    twilio.failNext('Calls.json', { status: 400, code: 21211, message: "The 'To' number +14155550100 is not a valid phone number." });
    expect((await failure(voice.send(page({ kind: 'voice' })))).retryable).toBe(false);
    const wrongToken = new SmsSender(new TwilioClient({ ...account, authToken: 'not-the-token' }));
    expect(await failure(wrongToken.send(page()))).toMatchObject({ retryable: false, message: 'twilio: send SMS failed: HTTP 401: 20003 Authenticate' });
    expect(twilio.messages).toHaveLength(0);
  });

  it('classifies a 5xx and an unreachable Twilio as retryable', async () => {
    twilio.failNext('Messages.json', { status: 503, code: 20503, message: 'Service Unavailable' });
    expect(await failure(sms.send(page()))).toMatchObject({ retryable: true, retryAfterMs: undefined });
    // A port nobody listens on.
    const nowhere = new SmsSender(new TwilioClient({ ...account, apiUrl: `http://127.0.0.1:${await freePort()}` }));
    expect(await failure(nowhere.send(page()))).toMatchObject({ retryable: true, message: expect.stringMatching(/^twilio: send SMS failed: network error: .*ECONNREFUSED/) });
  });

  it('on a retry after a lost answer, finds the SMS that got through (by its code) and sends nothing', async () => {
    const queuedAt = new Date();
    twilio.failNext('Messages.json', { lostAnswer: true });
    expect((await failure(sms.send(page({ queuedAt })))).retryable).toBe(true);
    expect(twilio.messages).toHaveLength(1);
    const receipt = await sms.send(page({ queuedAt, retried: true }));
    expect(receipt).toEqual({ provider: 'twilio', sid: twilio.messages[0].sid, status: 'sent', foundEarlier: true });
    expect(twilio.creates('Messages.json')).toHaveLength(1);
    const looks = twilio.requests.filter((r) => r.method === 'GET');
    expect(looks.map((l) => [l.resource, l.query.get('To'), l.query.get('From')])).toEqual([
      ['Messages.json', ALICE, FROM],
      ['Messages.json', ALICE, FROM],
    ]);
    expect(looks[0].query.get('Status')).toBe('queued');
    expect(Date.parse(looks[1].query.get('DateSent>')!)).toBeLessThanOrEqual(queuedAt.getTime());
  });

  it('on a retry, finds an SMS or call Twilio still holds queued (no send date yet) and sends nothing', async () => {
    twilio.holdQueued = true;
    const queuedAt = new Date();
    twilio.failNext('Messages.json', { lostAnswer: true });
    twilio.failNext('Calls.json', { lostAnswer: true });
    await failure(sms.send(page({ queuedAt })));
    await failure(voice.send(page({ kind: 'voice', queuedAt })));
    expect(await sms.send(page({ queuedAt, retried: true }))).toEqual({ provider: 'twilio', sid: twilio.messages[0].sid, status: 'queued', foundEarlier: true });
    expect(await voice.send(page({ kind: 'voice', queuedAt, retried: true }))).toEqual({ provider: 'twilio', sid: twilio.calls[0].sid, status: 'queued', foundEarlier: true });
    expect([twilio.creates('Messages.json').length, twilio.creates('Calls.json').length]).toEqual([1, 1]);
  });

  it('on a retry, does not take another page\'s SMS to the same person for this one', async () => {
    twilio.addMessage({ to: ALICE, from: FROM, body: 'CRITICAL #11 feature-store: down. Reply 1111 to acknowledge. https://h/11', created: new Date() });
    await sms.send(page({ retried: true }));
    expect(twilio.creates('Messages.json')).toHaveLength(1);
    expect(twilio.messages.map((m) => m.body.match(/Reply (\d+)/)![1])).toEqual(['1111', '4821']);
  });

  it('on a retry after a lost answer, finds the call placed since the send was queued and calls nobody again', async () => {
    const queuedAt = new Date();
    // A call of an earlier step, well before this send was queued, is not this send's.
    twilio.addCall({ to: ALICE, from: FROM, created: new Date(queuedAt.getTime() - 10 * 60_000) });
    twilio.failNext('Calls.json', { lostAnswer: true });
    expect((await failure(voice.send(page({ kind: 'voice', queuedAt })))).retryable).toBe(true);
    const placed = twilio.calls[1];
    expect(await voice.send(page({ kind: 'voice', queuedAt, retried: true }))).toEqual({ provider: 'twilio', sid: placed.sid, status: 'in-progress', foundEarlier: true });
    expect(twilio.creates('Calls.json')).toHaveLength(1);
  });

  it('on a retry with no earlier call since the send was queued, places the call', async () => {
    const queuedAt = new Date();
    twilio.addCall({ to: ALICE, from: FROM, created: new Date(queuedAt.getTime() - 10 * 60_000) });
    twilio.addCall({ to: '+14155550199', from: FROM, created: new Date() });
    const receipt = await voice.send(page({ kind: 'voice', queuedAt, retried: true }));
    expect(receipt.foundEarlier).toBeUndefined();
    expect(twilio.creates('Calls.json')).toHaveLength(1);
  });

  it('is provided as SMS and voice senders when Twilio is configured, and none when it is not', () => {
    expect(twilioSenders(defaultConfig())).toEqual([]);
    expect(twilioSenders({ ...defaultConfig(), twilio: account }).map((s) => s.kind)).toEqual(['sms', 'voice']);
  });
});
