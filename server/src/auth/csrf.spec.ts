import { csrfProblem } from './csrf';

describe('csrfProblem (changes made with the session cookie)', () => {
  const PUBLIC = 'https://headroom.example.com';
  const headers = (h: Record<string, string>) => ({ host: 'headroom.example.com', ...h });

  it('lets the console through: its own origin, JSON or X-Requested-With; reads are never checked', () => {
    expect(csrfProblem('POST', headers({ origin: PUBLIC, 'content-type': 'application/json; charset=utf-8' }), PUBLIC)).toBeNull();
    expect(csrfProblem('POST', headers({ 'x-requested-with': 'XMLHttpRequest' }), PUBLIC)).toBeNull();
    expect(csrfProblem('DELETE', headers({ origin: PUBLIC }), PUBLIC)).toBeNull();
    // Reached by another name than HEADROOM_PUBLIC_URL (localhost vs 127.0.0.1): the origin matches the Host asked.
    expect(csrfProblem('POST', { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080', 'content-type': 'application/json' }, 'http://localhost:8080')).toBeNull();
    expect(csrfProblem('GET', headers({ origin: 'https://evil.example' }), PUBLIC)).toBeNull();
  });

  it('refuses a form posted by another origin, even a same-site one, and form or text bodies without the header', () => {
    expect(csrfProblem('POST', { host: 'ops.example.com:8080', origin: 'http://ops.example.com:3000', 'content-type': 'application/x-www-form-urlencoded' }, 'http://ops.example.com:8080')).toMatch(/^a change from http:\/\/ops\.example\.com:3000 is refused/);
    expect(csrfProblem('POST', headers({ origin: 'https://evil.example', 'content-type': 'application/json' }), PUBLIC)).toMatch(/is refused/);
    expect(csrfProblem('POST', headers({ 'content-type': 'application/x-www-form-urlencoded' }), PUBLIC)).toMatch(/must be sent as application\/json/);
    expect(csrfProblem('POST', headers({ 'content-type': 'text/plain' }), PUBLIC)).toMatch(/must be sent as application\/json/);
    expect(csrfProblem('PATCH', headers({ origin: 'null', 'content-type': 'application/json' }), PUBLIC)).toBe('a change from an opaque origin is refused');
  });
});
