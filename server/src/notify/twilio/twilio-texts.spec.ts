import { contactMessage } from '../../../../test/support/contact-message';
import { messageResponse, outcomeText, sayResponse, smsBody, voiceTwiml } from './twilio-texts';

describe('smsBody', () => {
  it('says severity, number, service, title, how to acknowledge and the link, in one segment', () => {
    const body = smsBody(contactMessage());
    expect(body).toBe('CRITICAL #12 now-playing-ranker: now-playing-ranker availability burning 14x budget. Reply 4821 to acknowledge. https://headroom.example.com/#/incidents/12/show');
    expect(body.length).toBeLessThanOrEqual(160);
  });

  it('cuts a long title, never the code or the link, to stay within 160 characters', () => {
    const body = smsBody(contactMessage({ incident: { title: `p99 latency of the ranker over the objective ${'and more '.repeat(20)}` } }));
    expect(body).toBe('CRITICAL #12 now-playing-ranker: p99 latency of the ranker over the objective and... Reply 4821 to acknowledge. https://headroom.example.com/#/incidents/12/show');
    expect(body.length).toBeLessThanOrEqual(160);
  });

  it('keeps to the GSM alphabet (an emoji would make it UCS-2), and counts [ ] as two', () => {
    const body = smsBody(contactMessage({ incident: { title: 'Café 🔥 [canary]\nslow' } }));
    expect(body).toContain('#12 now-playing-ranker: Café ? [canary] slow. Reply');
    expect(smsBody(contactMessage({ incident: { title: 'Zürich — Málaga' } }))).toContain(': Zürich ? Malaga. Reply');
    const brackets = smsBody(contactMessage({ incident: { title: '[x]'.repeat(60) } }));
    expect(brackets.length + (brackets.match(/[[\]]/g)?.length ?? 0)).toBe(160);
  });

  it('still carries code and link when the link alone leaves little room (more than one segment then)', () => {
    const body = smsBody(contactMessage({ links: { incidentUrl: `https://headroom.example.com/${'x'.repeat(120)}`, runbookUrl: null, ackUrl: null } }));
    expect(body).toMatch(/: now-playing-ranker availabi\.\.\. Reply 4821 to acknowledge\. https:/);
  });
});

describe('voiceTwiml', () => {
  it('says the incident and gathers one key posted to the voice webhook with this send\'s code, twice, then hangs up', () => {
    const twiml = voiceTwiml(contactMessage({ kind: 'voice', incident: { title: 'Latency <p99> & errors' } }), 'https://headroom.example.com');
    const gather =
      '<Gather numDigits="1" timeout="8" action="https://headroom.example.com/api/integrations/twilio/voice?code=4821" method="POST">' +
      '<Say>Headroom page. critical incident 12 on now playing ranker: Latency &lt;p99&gt; &amp; errors. Press 1 to acknowledge.</Say></Gather>';
    expect(twiml).toBe(`<?xml version="1.0" encoding="UTF-8"?><Response>${gather}${gather}<Say>No key was pressed. The page stays open. Goodbye.</Say></Response>`);
  });
});

describe('answers to replies', () => {
  it('wraps the answer in TwiML, escaped', () => {
    expect(messageResponse('a <b> & "c"')).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Message>a &lt;b&gt; &amp; &quot;c&quot;</Message></Response>');
    expect(sayResponse("it's done")).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say>it&apos;s done</Say></Response>');
  });

  it('says what happened', () => {
    const done = { acknowledged: true as const, incidentId: 12, alreadyAcknowledged: false, userName: 'Alice' };
    expect(outcomeText(done, 'sms')).toBe('Acknowledged #12 as Alice. The rest of this page is stopped.');
    expect(outcomeText(done, 'voice')).toBe('Acknowledged incident 12 as Alice. Goodbye.');
    expect(outcomeText({ ...done, alreadyAcknowledged: true }, 'sms')).toBe('#12 was already acknowledged. The rest of this page is stopped.');
    const refused = { acknowledged: false as const, reason: 'That code is not valid for this number' };
    expect(outcomeText(refused, 'sms')).toBe('That code is not valid for this number');
    expect(outcomeText(refused, 'voice')).toBe('That code is not valid for this number. Nothing was done. Goodbye.');
  });
});
