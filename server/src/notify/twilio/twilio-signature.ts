import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's X-Twilio-Signature, computed as Twilio computes it: Base64 of HMAC-SHA1, keyed with
 * the account's auth token, over the full URL Twilio called (scheme, host, path and query) followed
 * by every POST parameter sorted by name, each name immediately followed by its value (a name sent
 * twice contributes each of its values, sorted, as Twilio's own libraries do).
 */
export function twilioSignature(authToken: string, url: string, params: URLSearchParams): string {
  const byName = new Map<string, string[]>();
  for (const [name, value] of params) byName.set(name, [...(byName.get(name) ?? []), value]);
  let data = url;
  for (const name of [...byName.keys()].sort()) {
    for (const value of byName.get(name)!.sort()) data += name + value;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Whether `signature` is Twilio's for this request, compared in constant time. Twilio signs the
 * URL as configured in its console, which for https on port 443 may or may not carry the port:
 * both forms are accepted, as Twilio's libraries accept them (another port must match).
 */
export function validTwilioSignature(authToken: string, signature: string | undefined, url: string, params: URLSearchParams): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature, 'utf8');
  return urlForms(url).some((form) => {
    const expected = Buffer.from(twilioSignature(authToken, form, params), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** The URL as written, without its scheme's default port, and with it spelled out. */
function urlForms(url: string): string[] {
  const m = /^(https?:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, authority, rest] = m;
  const defaultPort = scheme.toLowerCase() === 'https://' ? 443 : 80;
  // Only the default port is optional: another port is part of the address Twilio called.
  const bare = authority.replace(new RegExp(`:${defaultPort}$`), '');
  const withPort = /:\d+$/.test(authority) ? authority : `${authority}:${defaultPort}`;
  return [...new Set([url, scheme + bare + rest, scheme + withPort + rest])];
}
