import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { DeliveryError } from '../../server/src/notify/delivery-error';
import { EmailSender } from '../../server/src/notify/email/email-sender';
import { emailMessage } from '../support/contact-messages';

/**
 * EmailSender against a real SMTP server (the `smtp-server` package, started here): what arrives,
 * authentication, and how the server's refusals come back as DeliveryErrors.
 */
interface Received {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  mail: ParsedMail;
  raw: string;
}

async function startSmtp(options: Partial<SMTPServerOptions> = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    // The test server has no certificate to offer; production servers upgrade with STARTTLS.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          mail: await simpleParser(raw),
          raw,
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { server, port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

async function failureOf(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    return err as DeliveryError;
  }
  throw new Error('expected the send to fail');
}

const FROM = 'Headroom <pager@headroom.example.com>';

describe('EmailSender through a real SMTP server', () => {
  it('delivers the page: subject, both bodies with every link, escaped HTML, a Message-ID from the outbox key, the incident header', async () => {
    const smtp = await startSmtp();
    const sender = new EmailSender({ url: `smtp://127.0.0.1:${smtp.port}`, from: FROM });
    try {
      const message = emailMessage({ incident: { ...emailMessage().incident, title: 'p99 <b>burn</b> & "more"' } });
      const receipt = await sender.send(message);
      expect(smtp.received).toHaveLength(1);
      const [got] = smtp.received;
      expect(got.from).toBe('pager@headroom.example.com');
      expect(got.to).toEqual(['rae@example.com']);
      expect(got.mail.subject).toBe('[CRITICAL] now-playing-ranker: p99 <b>burn</b> & "more" (incident #12)');
      expect(got.mail.to).toMatchObject({ value: [{ address: 'rae@example.com', name: 'Rae' }] });
      expect(got.mail.messageId).toMatch(/^<headroom\.[0-9a-f]{40}@headroom\.example\.com>$/);
      expect(receipt).toEqual({ messageId: got.mail.messageId, response: expect.stringMatching(/^250 /), accepted: ['rae@example.com'] });
      expect(got.mail.headers.get('x-headroom-incident')).toBe('12');
      expect(got.mail.headers.get('auto-submitted')).toBe('auto-generated');
      for (const body of [got.mail.text ?? '', String(got.mail.html)]) {
        expect(body).toContain('https://headroom.example.com/ack/a1.x.y');
        expect(body).toContain('https://headroom.example.com/#/incidents/12/show');
        expect(body).toContain('https://runbooks.example.com/ranker');
        expect(body).toContain('burn rate 14.4 over 1h and 5m');
      }
      expect(String(got.mail.html)).toContain('p99 &lt;b&gt;burn&lt;/b&gt; &amp; &quot;more&quot;');
      expect(String(got.mail.html)).not.toContain('<b>burn</b>');

      // The same outbox message sent again (after a crash) is the same message to mail clients.
      await sender.send({ ...message, retried: true });
      expect(smtp.received[1].mail.messageId).toBe(got.mail.messageId);
      await sender.send({ ...message, key: 'contact:12:step-2:rae@example.com:email' });
      expect(smtp.received[2].mail.messageId).not.toBe(got.mail.messageId);
    } finally {
      sender.onModuleDestroy();
      await smtp.close();
    }
  });

  it('signs in with the user and password of SMTP_URL; wrong credentials are a 535 that is not retried', async () => {
    const smtp = await startSmtp({
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'pager' && auth.password === 's3cret/with:chars') return callback(null, { user: auth.username });
        return callback(smtpError('Error: authentication failed', 535));
      },
    });
    const good = new EmailSender({ url: `smtp://pager:${encodeURIComponent('s3cret/with:chars')}@127.0.0.1:${smtp.port}`, from: FROM });
    const bad = new EmailSender({ url: `smtp://pager:wrong@127.0.0.1:${smtp.port}`, from: FROM });
    try {
      await good.send(emailMessage());
      expect(smtp.received.map((r) => r.user)).toEqual(['pager']);
      const e = await failureOf(bad.send(emailMessage()));
      expect(e).toBeInstanceOf(DeliveryError);
      expect(e.retryable).toBe(false);
      expect(e.message).toMatch(/^smtp 535: the SMTP server refused the credentials in SMTP_URL/);
      expect(e.message).not.toContain('wrong');
      expect(smtp.received).toHaveLength(1);
    } finally {
      good.onModuleDestroy();
      bad.onModuleDestroy();
      await smtp.close();
    }
  });

  it('does not retry a mailbox the server refuses (550), retries one it asks to try later (451)', async () => {
    const smtp = await startSmtp({
      onRcptTo(address, _session, callback) {
        if (address.address === 'gone@example.com') return callback(smtpError('5.1.1 <gone@example.com>: Recipient address rejected: User unknown', 550));
        if (address.address === 'busy@example.com') return callback(smtpError('4.7.1 <busy@example.com>: greylisted, try again later', 451));
        callback();
      },
    });
    const sender = new EmailSender({ url: `smtp://127.0.0.1:${smtp.port}`, from: FROM });
    try {
      const gone = await failureOf(sender.send(emailMessage({ address: 'gone@example.com' })));
      expect(gone).toBeInstanceOf(DeliveryError);
      expect(gone).toMatchObject({ retryable: false, message: expect.stringMatching(/^smtp 550: the SMTP server refused the message \(550 5\.1\.1 <gone@example\.com>: Recipient address rejected/) });
      const busy = await failureOf(sender.send(emailMessage({ address: 'busy@example.com' })));
      expect(busy).toMatchObject({ retryable: true, message: expect.stringMatching(/^smtp 451: the SMTP server asked to try later \(451 4\.7\.1/) });
      expect(smtp.received).toHaveLength(0);
    } finally {
      sender.onModuleDestroy();
      await smtp.close();
    }
  });

  it('retries when the server answers the message itself with 452, or when nothing listens on the port', async () => {
    const smtp = await startSmtp({
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(smtpError('4.3.1 Insufficient system storage', 452)));
      },
    });
    const full = new EmailSender({ url: `smtp://127.0.0.1:${smtp.port}`, from: FROM });
    // A port that was free a moment ago: connecting is refused.
    const closedPort = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const nobody = new EmailSender({ url: `smtp://127.0.0.1:${closedPort}`, from: FROM });
    try {
      expect(await failureOf(full.send(emailMessage()))).toMatchObject({ retryable: true, message: expect.stringMatching(/^smtp 452: /) });
      const refused = await failureOf(nobody.send(emailMessage()));
      expect(refused).toBeInstanceOf(DeliveryError);
      expect(refused).toMatchObject({ retryable: true, message: expect.stringMatching(/^smtp ESOCKET: connect ECONNREFUSED 127\.0\.0\.1:/) });
    } finally {
      full.onModuleDestroy();
      nobody.onModuleDestroy();
      await smtp.close();
    }
  });

  it('is the one sender of kind email, on the smtp lane', () => {
    const sender = new EmailSender({ url: 'smtp://127.0.0.1:1', from: FROM });
    expect(sender.kind).toBe('email');
    expect(sender.lane()).toBe('smtp');
    sender.onModuleDestroy();
  });
});
