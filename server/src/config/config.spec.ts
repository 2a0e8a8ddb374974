import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  const root = '/srv/headroom';

  it('runs on the embedded database with the simulator by default', () => {
    const c = loadConfig({}, root);
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, dataDir: '/srv/headroom/.headroom', publicUrl: 'http://127.0.0.1:8080', timeScale: 1 });
    expect(c.simulator.enabled).toBe(true);
    expect(c.slack).toBeUndefined();
  });

  it('turns the simulator off by default with a real database, unless asked', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db/h' }, root).simulator.enabled).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgresql://u@db/h', HEADROOM_SIMULATOR: 'true' }, root).simulator.enabled).toBe(true);
  });

  it('exports the simulator\'s metrics only when asked, and only with the simulator on', () => {
    expect(loadConfig({}, root).simulator.export).toEqual({ metricsPort: undefined, otlp: undefined });
    const on = loadConfig({ HEADROOM_SIMULATOR_METRICS_PORT: '9464', HEADROOM_SIMULATOR_EXPORT_OTLP_URL: 'http://127.0.0.1:8080/v1/metrics', HEADROOM_SIMULATOR_EXPORT_OTLP_KEY: 'k' }, root);
    expect(on.simulator.export).toEqual({ metricsPort: 9464, otlp: { url: 'http://127.0.0.1:8080/v1/metrics', key: 'k', intervalSeconds: 15 } });
    const off = { DATABASE_URL: 'postgresql://u@db/h', HEADROOM_SIMULATOR_METRICS_PORT: '9464', HEADROOM_SIMULATOR_EXPORT_OTLP_URL: 'http://h/v1/metrics' };
    expect(() => loadConfig(off, root)).toThrow(/HEADROOM_SIMULATOR_METRICS_PORT: .*turn the simulator on[\s\S]*HEADROOM_SIMULATOR_EXPORT_OTLP_URL: .*turn the simulator on/);
    expect(() => loadConfig({ HEADROOM_SIMULATOR_EXPORT_OTLP_KEY: 'k' }, root)).toThrow(/HEADROOM_SIMULATOR_EXPORT_OTLP_KEY: set HEADROOM_SIMULATOR_EXPORT_OTLP_URL too/);
    expect(() => loadConfig({ HEADROOM_SIMULATOR_EXPORT_OTLP_URL: 'ftp://h/v1/metrics' }, root)).toThrow(/HEADROOM_SIMULATOR_EXPORT_OTLP_URL: must be an http/);
  });

  it('names every invalid variable with the reason', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', HEADROOM_ADMIN_TOKEN: 'short', HEADROOM_SIMULATOR: 'maybe' }, root);
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/^PORT: /m);
      expect(problems).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
      expect(problems).toContain('HEADROOM_ADMIN_TOKEN: must be at least 16 characters');
      expect(problems).toMatch(/^HEADROOM_SIMULATOR: /m);
    }
  });

  it('needs all three Slack settings or none', () => {
    expect(() => loadConfig({ SLACK_BOT_TOKEN: 'xoxb' }, root)).toThrow(/set all three/);
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb', SLACK_SIGNING_SECRET: 's', SLACK_CHANNEL: 'C1', SLACK_API_URL: 'http://127.0.0.1:9/api' }, root);
    expect(c.slack).toEqual({ botToken: 'xoxb', signingSecret: 's', channel: 'C1', apiUrl: 'http://127.0.0.1:9/api/' });
  });

  it('sends e-mail only with both SMTP_URL and SMTP_FROM, and keeps the URL\'s password out of its errors', () => {
    expect(loadConfig({}, root).smtp).toBeUndefined();
    const c = loadConfig({ SMTP_URL: 'smtps://pager:s3cret@mail.example.com:465', SMTP_FROM: 'Headroom <headroom@example.com>' }, root);
    expect(c.smtp).toEqual({ url: 'smtps://pager:s3cret@mail.example.com:465', from: 'Headroom <headroom@example.com>' });
    expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.com' }, root)).toThrow(/SMTP_FROM: set the address e-mail pages come from/);
    expect(() => loadConfig({ SMTP_FROM: 'headroom@example.com' }, root)).toThrow(/SMTP_URL: SMTP_FROM is set but no SMTP server is/);
    expect(() => loadConfig({ SMTP_URL: 'https://pager:s3cret@mail.example.com', SMTP_FROM: 'headroom@example.com' }, root)).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    const thrown = (() => {
      try {
        loadConfig({ SMTP_URL: 'http://pager:s3cret@mail.example.com', SMTP_FROM: 'not an address' }, root);
      } catch (err) {
        return (err as Error).message;
      }
      return 'nothing thrown';
    })();
    expect(thrown).toContain('SMTP_FROM: must be an address');
    expect(thrown).toContain('SMTP_URL: must be an smtp');
    expect(thrown).not.toContain('s3cret');
  });

  it('signs acknowledge links with a long enough secret, for 24 hours unless told', () => {
    expect(loadConfig({}, root).ackLinks).toEqual({ secret: undefined, ttlHours: 24 });
    expect(loadConfig({ HEADROOM_ACK_LINK_SECRET: 'x'.repeat(32), HEADROOM_ACK_LINK_HOURS: '2' }, root).ackLinks).toEqual({ secret: 'x'.repeat(32), ttlHours: 2 });
    expect(() => loadConfig({ HEADROOM_ACK_LINK_SECRET: 'short' }, root)).toThrow(/HEADROOM_ACK_LINK_SECRET: must be at least 32 characters/);
  });

  it('needs all three Twilio settings or none, and names the missing one', () => {
    const sid = `AC${'0123456789abcdef'.repeat(2)}`;
    expect(loadConfig({}, root).twilio).toBeUndefined();
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: sid, TWILIO_FROM: '+15005550006' }, root)).toThrow(/TWILIO_AUTH_TOKEN: missing; TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM/);
    expect(() => loadConfig({ TWILIO_AUTH_TOKEN: 't' }, root)).toThrow(/TWILIO_ACCOUNT_SID and TWILIO_FROM: missing/);
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: 'nope', TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '5550006' }, root)).toThrow(
      /TWILIO_ACCOUNT_SID: must be a Twilio Account SID[\s\S]*TWILIO_FROM: must be a phone number in E\.164 form/,
    );
    expect(loadConfig({ TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+15005550006', TWILIO_API_URL: 'http://127.0.0.1:9/' }, root).twilio).toEqual({
      accountSid: sid,
      authToken: 't',
      from: '+15005550006',
      apiUrl: 'http://127.0.0.1:9',
    });
    expect(loadConfig({ TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 't', TWILIO_FROM: '+15005550006' }, root).twilio?.apiUrl).toBe('https://api.twilio.com');
  });

  it('reads SLI retention as durations with a floor', () => {
    expect(loadConfig({}, root).retention).toEqual({ minuteSeconds: 8 * 86_400, hourSeconds: 400 * 86_400 });
    expect(loadConfig({ HEADROOM_RETENTION_MINUTES: '10d', HEADROOM_RETENTION_HOURS: '60w' }, root).retention).toEqual({
      minuteSeconds: 10 * 86_400,
      hourSeconds: 420 * 86_400,
    });
    expect(() => loadConfig({ HEADROOM_RETENTION_MINUTES: '1d' }, root)).toThrow(/HEADROOM_RETENTION_MINUTES: must be at least 2d/);
    expect(() => loadConfig({ HEADROOM_RETENTION_HOURS: '400' }, root)).toThrow(/HEADROOM_RETENTION_HOURS: must be a duration/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', SLACK_BOT_TOKEN: '' }, root).databaseUrl).toBeUndefined();
  });
});
