import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LOGGER } from '../../server/src/common/logger';
import { APP_CONFIG, type AppConfig } from '../../server/src/config/config';
import { REPLY_ACKNOWLEDGER, type ReplyAcknowledger, type ReplyOutcome } from '../../server/src/notify/contact/contact-sender';
import { twilioSignature } from '../../server/src/notify/twilio/twilio-signature';
import { TwilioWebhooksController } from '../../server/src/notify/twilio/twilio-webhooks.controller';
import { TwilioWebhooks } from '../../server/src/notify/twilio/twilio-webhooks.service';
import { defaultConfig } from '../support/services';
import { silentLogger } from '../support/test-logger';
import { gatherCallback, inboundSms, postTwilioWebhook } from '../support/twilio-webhook';

/**
 * A ReplyAcknowledger that records each reply and acknowledges #12 for Alice's number and code
 * 4821 only (a stand-in until the contact-method orchestration provides the real one).
 */
class RecordingAcknowledger implements ReplyAcknowledger {
  readonly replies: Array<{ kind: 'sms' | 'voice'; from: string; code: string }> = [];
  acknowledged = false;
  async acknowledgeByReply(reply: { kind: 'sms' | 'voice'; from: string; code: string }): Promise<ReplyOutcome> {
    this.replies.push(reply);
    if (reply.from !== ALICE || reply.code !== '4821') return { acknowledged: false, reason: 'That code is not valid for this number' };
    const already = this.acknowledged;
    this.acknowledged = true;
    return { acknowledged: true, incidentId: 12, alreadyAcknowledged: already, userName: 'Alice' };
  }
}

const ALICE = '+14155550100';
const HEADROOM = '+15005550006';
const PUBLIC_URL = 'https://headroom.example.com';
const TOKEN = 'twilio-auth-token-for-webhooks';
const SID = `AC${'0123456789abcdef'.repeat(2)}`;

/**
 * The inbound Twilio webhooks over real HTTP (Nest's own body parsing, raw body kept): a reply
 * signed as Twilio signs it reaches the acknowledger with kind, number and code and is answered
 * in TwiML; a missing or forged signature is refused with 403 before anything is called.
 */
describe('Twilio inbound webhooks (HTTP)', () => {
  let app: INestApplication;
  let url: string;
  const acknowledger = new RecordingAcknowledger();
  const config: AppConfig = { ...defaultConfig(), publicUrl: PUBLIC_URL, twilio: { accountSid: SID, authToken: TOKEN, from: HEADROOM, apiUrl: 'http://127.0.0.1:1' } };
  const post = (pathAndQuery: string, params: Record<string, string>, signature?: string | null) =>
    postTwilioWebhook(url, pathAndQuery, params, { authToken: TOKEN, publicUrl: PUBLIC_URL, signature });
  const answer = async (res: Response) => ({ status: res.status, type: res.headers.get('content-type'), body: await res.text() });
  const twiml = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
  const xmlAnswer = (inner: string) => ({ status: 200, type: 'text/xml; charset=utf-8', body: twiml(inner) });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [TwilioWebhooksController],
      providers: [
        TwilioWebhooks,
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: silentLogger },
        { provide: REPLY_ACKNOWLEDGER, useValue: acknowledger },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ rawBody: true, logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(() => app?.close());
  beforeEach(() => {
    acknowledger.replies.length = 0;
    acknowledger.acknowledged = false;
  });

  it('acknowledges an SMS reply "ACK 4821" from Alice\'s number and answers in TwiML', async () => {
    expect(await answer(await post('/api/integrations/twilio/sms', inboundSms(ALICE, HEADROOM, 'ACK 4821', SID)))).toEqual(xmlAnswer('<Message>Acknowledged #12 as Alice. The rest of this page is stopped.</Message>'));
    expect(acknowledger.replies).toEqual([{ kind: 'sms', from: ALICE, code: '4821' }]);
    expect((await answer(await post('/api/integrations/twilio/sms', inboundSms(ALICE, HEADROOM, '4821', SID)))).body).toBe(
      twiml('<Message>#12 was already acknowledged. The rest of this page is stopped.</Message>'),
    );
  });

  it('answers a code that is not valid for the number, and a reply with no code, without acknowledging', async () => {
    expect((await answer(await post('/api/integrations/twilio/sms', inboundSms('+14155550199', HEADROOM, 'ack 4821', SID)))).body).toBe(
      twiml('<Message>That code is not valid for this number</Message>'),
    );
    expect(acknowledger.replies).toEqual([{ kind: 'sms', from: '+14155550199', code: '4821' }]);
    expect((await answer(await post('/api/integrations/twilio/sms', inboundSms(ALICE, HEADROOM, 'on my way', SID)))).body).toBe(
      twiml('<Message>No acknowledge code found. Reply with the code from the page, e.g. ACK 4821.</Message>'),
    );
    expect(acknowledger.replies).toHaveLength(1);
  });

  it('refuses a missing, forged or re-targeted signature with 403 and calls nothing', async () => {
    const params = inboundSms(ALICE, HEADROOM, 'ACK 4821', SID);
    const unsigned = await answer(await post('/api/integrations/twilio/sms', params, null));
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toContain('X-Twilio-Signature is missing or is not Twilio\'s for https://headroom.example.com/api/integrations/twilio/sms');
    expect((await post('/api/integrations/twilio/sms', params, 'bm90IGEgc2lnbmF0dXJlIGF0IGFsbA==')).status).toBe(403);
    // Signed with another account's token.
    expect((await postTwilioWebhook(url, '/api/integrations/twilio/sms', params, { authToken: 'another-token', publicUrl: PUBLIC_URL })).status).toBe(403);
    // A genuine signature of one request does not carry over to another body, or to the voice webhook.
    const signedForOther = twilioSignature(TOKEN, `${PUBLIC_URL}/api/integrations/twilio/sms`, new URLSearchParams(inboundSms(ALICE, HEADROOM, 'hello', SID)));
    expect((await post('/api/integrations/twilio/sms', params, signedForOther)).status).toBe(403);
    const signedSms = twilioSignature(TOKEN, `${PUBLIC_URL}/api/integrations/twilio/sms`, new URLSearchParams(gatherCallback(ALICE, HEADROOM, '1', SID)));
    expect((await post('/api/integrations/twilio/voice?code=4821', gatherCallback(ALICE, HEADROOM, '1', SID), signedSms)).status).toBe(403);
    expect(acknowledger.replies).toEqual([]);
  });

  it('acknowledges a voice page when 1 is pressed, as the called person (To) with the code in the action URL', async () => {
    expect(await answer(await post('/api/integrations/twilio/voice?code=4821', gatherCallback(ALICE, HEADROOM, '1', SID)))).toEqual(xmlAnswer('<Say>Acknowledged incident 12 as Alice. Goodbye.</Say>'));
    expect(acknowledger.replies).toEqual([{ kind: 'voice', from: ALICE, code: '4821' }]);
  });

  it('does nothing for another key or a call without one, and says so', async () => {
    expect((await answer(await post('/api/integrations/twilio/voice?code=4821', gatherCallback(ALICE, HEADROOM, '2', SID)))).body).toBe(
      twiml('<Say>Nothing was done: only 1 acknowledges. The page stays open. Goodbye.</Say>'),
    );
    // A call to the number (no keypress, no code) is not a page.
    const { Digits: _none, ...ringing } = gatherCallback('+14155550199', HEADROOM, '', SID);
    expect((await answer(await post('/api/integrations/twilio/voice', ringing))).body).toBe(twiml('<Say>This number only places Headroom pages. Nothing was done. Goodbye.</Say>'));
    expect(acknowledger.replies).toEqual([]);
  });

  it('refuses a voice callback whose code was changed after Twilio signed it', async () => {
    const params = gatherCallback(ALICE, HEADROOM, '1', SID);
    const signed = twilioSignature(TOKEN, `${PUBLIC_URL}/api/integrations/twilio/voice?code=4821`, new URLSearchParams(params));
    expect((await post('/api/integrations/twilio/voice?code=1234', params, signed)).status).toBe(403);
    expect(acknowledger.replies).toEqual([]);
  });
});
