/**
 * The two progressive-delivery tools that ask Headroom's gates, as they ask: Flagger's webhooks
 * (POST of its JSON payload; any 2xx lets the canary go on, anything else halts it) and an Argo
 * Rollouts `web` metric (GET with the configured headers, the body's `jsonPath` result compared
 * with `successCondition: result == true`; a non-2xx answer is an Error measurement, not a
 * Failed one — as metricproviders/webmetric does). Only what these tools do is here.
 */

export type FlaggerHookType = 'confirm-rollout' | 'pre-rollout' | 'rollout' | 'confirm-promotion';

/** Flagger calls a webhook of a canary analysis; true when it would go on. */
export async function flaggerWebhook(url: string, type: FlaggerHookType, canary: { name: string; namespace: string }): Promise<{ proceed: boolean; status: number }> {
  // Flagger's payload (pkg/canary webhook): name, namespace, phase, checksum, type and the hook's metadata.
  const payload = { name: canary.name, namespace: canary.namespace, phase: type === 'confirm-rollout' ? 'Initializing' : 'Progressing', checksum: 'a1b2c3', type, metadata: { cmd: 'gate' } };
  const parsed = new URL(url);
  const auth = parsed.username ? { authorization: `Basic ${Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64')}` } : {};
  parsed.username = '';
  parsed.password = '';
  const res = await fetch(parsed, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(payload), signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
  return { proceed: res.status >= 200 && res.status < 300, status: res.status };
}

export type ArgoPhase = 'Successful' | 'Failed' | 'Error';

/** One Argo Rollouts web-metric measurement with `jsonPath: "{$.pass}"` and `successCondition: result == true`. */
export async function argoWebMetric(url: string, headers: Record<string, string>): Promise<{ phase: ArgoPhase; value: string | null; status: number }> {
  const res = await fetch(url, { method: 'GET', headers, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status < 200 || res.status >= 300) return { phase: 'Error', value: null, status: res.status };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { phase: 'Error', value: null, status: res.status };
  }
  const pass = (body as { pass?: unknown }).pass;
  if (pass === undefined) return { phase: 'Error', value: null, status: res.status };
  return { phase: pass === true ? 'Successful' : 'Failed', value: String(pass), status: res.status };
}
