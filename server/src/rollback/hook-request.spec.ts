import { createHmac } from 'node:crypto';
import type { RollbackHook } from '../rules/rollback-definition';
import { backoffMs, buildRequest, classifyResponse, redacted, renderBody, signature } from './hook-request';

const hook = (over: Partial<RollbackHook> = {}): RollbackHook => ({
  name: 'deploy', url: 'https://deploy.example/rollback', method: 'POST', headers: { 'X-Team': 'ranking' }, contentType: 'application/json',
  timeoutMs: 5000, retries: 2, secretEnv: 'S', file: 'a.yaml', ...over,
});
const values = { 'incident.id': 12, 'incident.title': 'skip rate "up"\nbadly', service: 'ranker', experiment: 'exp', variant: 'v2' };

describe('renderBody', () => {
  it('JSON-escapes values in a string template, so a title cannot break or extend the JSON', () => {
    const body = renderBody(hook({ body: '{"incident": {{incident.id}}, "title": "{{incident.title}}", "service": "{{ service }}", "slo": "{{slo}}"}' }), values);
    expect(JSON.parse(body)).toEqual({ incident: 12, title: 'skip rate "up"\nbadly', service: 'ranker', slo: '' });
    const injected = renderBody(hook({ body: '{"title": "{{incident.title}}"}' }), { 'incident.title': '", "admin": true, "x": "' });
    expect(Object.keys(JSON.parse(injected))).toEqual(['title']);
  });

  it('substitutes in the strings of a mapping body and sends it as JSON', () => {
    const body = renderBody(hook({ body: { action: 'rollback', target: { experiment: '{{experiment}}', variant: '{{variant}}' }, reason: 'incident {{incident.id}}: {{incident.title}}' } }), values);
    expect(JSON.parse(body)).toEqual({ action: 'rollback', target: { experiment: 'exp', variant: 'v2' }, reason: 'incident 12: skip rate "up"\nbadly' });
  });

  it('sends every variable when no body is declared', () => {
    expect(JSON.parse(renderBody(hook(), values))).toMatchObject({ incident: { id: 12 }, service: 'ranker', experiment: 'exp', variant: 'v2', slo: null });
  });
});

describe('buildRequest', () => {
  it('signs v2:<timestamp>:<method>:<url>:<execution id>:<body> with HMAC-SHA256 and keeps the signature out of the stored copy', () => {
    const req = buildRequest(hook({ body: '{"s":"{{service}}"}' }), values, 7, 'topsecret', 1_764_000_000);
    const expected = createHmac('sha256', 'topsecret').update(`v2:1764000000:${req.method}:${req.url}:7:${req.body}`).digest('hex');
    expect(req.headers['X-Headroom-Signature']).toBe(`v2=${expected}`);
    // Another execution id, method or URL signs differently: a signed body cannot be passed off elsewhere.
    expect(buildRequest(hook({ body: '{"s":"{{service}}"}' }), values, 8, 'topsecret', 1_764_000_000).headers['X-Headroom-Signature']).not.toBe(`v2=${expected}`);
    expect(buildRequest(hook({ body: '{"s":"{{service}}"}', url: 'https://elsewhere.example/rollback' }), values, 7, 'topsecret', 1_764_000_000).headers['X-Headroom-Signature']).not.toBe(`v2=${expected}`);
    expect(req.headers['X-Headroom-Timestamp']).toBe('1764000000');
    expect(req.headers['Idempotency-Key']).toBe('headroom-rollback-7');
    expect(req.headers['X-Team']).toBe('ranking');
    expect(signature('topsecret', { timestamp: 1_764_000_000, method: req.method, url: req.url, executionId: 7, body: req.body })).toBe(`v2=${expected}`);
    const stored = redacted(req);
    expect(stored.headers['X-Headroom-Signature']).toBe('v2=(redacted)');
    expect(JSON.stringify(stored)).not.toContain(expected);
    expect(JSON.stringify(stored)).not.toContain('topsecret');
  });

  it('keeps only the names of the hook\'s own headers in the stored copy (a bearer token reached viewers before)', () => {
    const req = buildRequest(hook({ headers: { Authorization: 'Bearer deploy-token-123', 'X-Team': 'ranking' } }), values, 7, 'topsecret', 1_764_000_000);
    const stored = redacted(req);
    expect(stored.headers).toEqual({
      Authorization: '(redacted)', 'X-Team': '(redacted)', 'Content-Type': 'application/json', 'Idempotency-Key': 'headroom-rollback-7',
      'X-Headroom-Execution': '7', 'X-Headroom-Timestamp': '1764000000', 'X-Headroom-Signature': 'v2=(redacted)',
    });
    expect(JSON.stringify(stored)).not.toContain('deploy-token-123');
    // What is sent keeps the values.
    expect(req.headers.Authorization).toBe('Bearer deploy-token-123');
  });

  it('sends no signature header without a secret', () => {
    expect(buildRequest(hook({ secretEnv: null }), values, 7, undefined, 1).headers['X-Headroom-Signature']).toBeUndefined();
  });
});

describe('classifyResponse', () => {
  it('succeeds on 2xx, retries network errors, timeouts, 408, 429 and 5xx while attempts remain, fails other 4xx at once', () => {
    expect(classifyResponse({ status: 202 }, 1, 3)).toEqual({ kind: 'succeeded', status: 202 });
    expect(classifyResponse({ status: 503 }, 1, 3)).toMatchObject({ kind: 'retry', status: 503 });
    expect(classifyResponse({ status: 429 }, 2, 3)).toMatchObject({ kind: 'retry' });
    expect(classifyResponse({ error: 'timed out after 5000 ms' }, 2, 3)).toMatchObject({ kind: 'retry', status: null });
    expect(classifyResponse({ status: 503 }, 3, 3)).toMatchObject({ kind: 'failed', status: 503, error: 'HTTP 503' });
    expect(classifyResponse({ status: 401 }, 1, 3)).toMatchObject({ kind: 'failed', status: 401 });
  });
});

describe('backoffMs', () => {
  it('grows exponentially with jitter and is capped', () => {
    expect(backoffMs(1, 500, () => 0)).toBe(250);
    expect(backoffMs(3, 500, () => 1)).toBe(2000);
    expect(backoffMs(30, 500, () => 1)).toBe(300_000);
  });
});
