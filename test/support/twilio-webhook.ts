import { twilioSignature } from '../../server/src/notify/twilio/twilio-signature';

/**
 * Posts a webhook to Headroom the way Twilio does: the parameters form-encoded, signed with the
 * auth token over the public URL Twilio was given (`publicUrl` + path + query) followed by the
 * sorted parameters. `signature` overrides the header (null: none).
 */
export function postTwilioWebhook(
  baseUrl: string,
  pathAndQuery: string,
  params: Record<string, string>,
  opts: { authToken: string; publicUrl: string; signature?: string | null },
): Promise<Response> {
  const form = new URLSearchParams(params);
  const signature = opts.signature === undefined ? twilioSignature(opts.authToken, `${opts.publicUrl}${pathAndQuery}`, form) : opts.signature;
  return fetch(`${baseUrl}${pathAndQuery}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'x-twilio-signature': signature }) },
    body: form.toString(),
  });
}

/** The inbound-SMS parameters Twilio sends (a subset of its many; all are signed). */
export function inboundSms(from: string, to: string, body: string, accountSid: string): Record<string, string> {
  return { ToCountry: 'US', SmsMessageSid: 'SM0123456789abcdef0123456789abcdef', NumMedia: '0', From: from, To: to, Body: body, MessageSid: 'SM0123456789abcdef0123456789abcdef', AccountSid: accountSid, NumSegments: '1', ApiVersion: '2010-04-01' };
}

/** The Gather callback of an outbound call: the person is `To`. */
export function gatherCallback(person: string, headroomNumber: string, digits: string, accountSid: string): Record<string, string> {
  return { AccountSid: accountSid, CallSid: 'CA0123456789abcdef0123456789abcdef', From: headroomNumber, To: person, Digits: digits, Direction: 'outbound-api', CallStatus: 'in-progress', ApiVersion: '2010-04-01', FinishedOnKey: '' };
}
