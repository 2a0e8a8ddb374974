import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startHeadroomProcess, type HeadroomProcess } from '../support/headroom-process';
import { gatherCallback, inboundSms, postTwilioWebhook } from '../support/twilio-webhook';

/**
 * The built server lets Twilio's webhooks through without a session or token (Twilio cannot
 * sign in; it signs with X-Twilio-Signature) and refuses them without that signature, while the
 * rest of /api/integrations still asks for credentials.
 */
const ADMIN = 'e2e-twilio-admin-token-0123456789';
const PUBLIC_URL = 'https://headroom.example.com';
const TOKEN = 'e2e-twilio-auth-token';
const SID = `AC${'fedcba9876543210'.repeat(2)}`;
const HEADROOM = '+15005550006';
const ALICE = '+14155550100';

describe('Twilio webhooks through the auth guard (real process)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'headroom-e2e-twilio-'));
  let app: HeadroomProcess;
  const post = (pathAndQuery: string, params: Record<string, string>, signature?: string | null) =>
    postTwilioWebhook(app.url, pathAndQuery, params, { authToken: TOKEN, publicUrl: PUBLIC_URL, signature });

  beforeAll(async () => {
    app = await startHeadroomProcess({
      HEADROOM_DATA_DIR: dataDir,
      HEADROOM_ADMIN_TOKEN: ADMIN,
      HEADROOM_SIMULATOR: 'false',
      HEADROOM_PUBLIC_URL: PUBLIC_URL,
      TWILIO_ACCOUNT_SID: SID,
      TWILIO_AUTH_TOKEN: TOKEN,
      TWILIO_FROM: HEADROOM,
      // Nothing is sent in this test; a port nobody listens on.
      TWILIO_API_URL: 'http://127.0.0.1:1',
    });
  });

  afterAll(async () => {
    await app?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers a signed SMS reply and a signed keypress with TwiML, no session needed', async () => {
    const sms = await post('/api/integrations/twilio/sms', inboundSms(ALICE, HEADROOM, 'ACK 4821', SID));
    expect(sms.status).toBe(200);
    expect(sms.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(await sms.text()).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Message>.+<\/Message><\/Response>$/);
    const voice = await post('/api/integrations/twilio/voice?code=4821', gatherCallback(ALICE, HEADROOM, '1', SID));
    expect(voice.status).toBe(200);
    expect(await voice.text()).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Say>.+<\/Say><\/Response>$/);
  });

  it('refuses an unsigned or forged webhook with 403 (not a sign-in prompt)', async () => {
    const params = inboundSms(ALICE, HEADROOM, 'ACK 4821', SID);
    expect((await post('/api/integrations/twilio/sms', params, null)).status).toBe(403);
    expect((await post('/api/integrations/twilio/sms', params, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=')).status).toBe(403);
    expect((await post('/api/integrations/twilio/voice?code=4821', gatherCallback(ALICE, HEADROOM, '1', SID), null)).status).toBe(403);
  });

  it('keeps asking for credentials everywhere else under /api/integrations', async () => {
    expect((await fetch(`${app.url}/api/integrations`)).status).toBe(401);
    expect((await fetch(`${app.url}/api/integrations`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
  });
});
