import { fetchUtils, type DataProvider, type Identifier } from 'react-admin';
import simpleRestProvider from 'ra-data-simple-rest';
import { getToken } from './auth-provider';

export const API_URL = '/api';

export const httpClient = (url: string, options: fetchUtils.Options = {}) => {
  const headers = new Headers(options.headers ?? { Accept: 'application/json' });
  const token = getToken();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  // Marks the console's own calls: a change made with the session cookie needs it or a JSON body
  // (server/src/auth/csrf.ts), which a form on another site cannot send.
  headers.set('X-Requested-With', 'XMLHttpRequest');
  return fetchUtils.fetchJson(url, { ...options, headers });
};

export type IncidentAction = 'acknowledge' | 'resolve' | 'reopen' | 'snooze' | 'reassign' | 'notes' | 'escalate';

export interface HeadroomDataProvider extends DataProvider {
  incidentAction(id: Identifier, action: IncidentAction, body?: Record<string, unknown>): Promise<{ data: unknown }>;
}

const base = simpleRestProvider(API_URL, httpClient);

/** The fields of an edit form that changed (what a PATCH sends; the server refuses the rest). */
export function changedFields(data: Record<string, unknown>, previous: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(previous?.[k])));
}

export const dataProvider: HeadroomDataProvider = {
  ...base,
  // Headroom's updates are PATCHes of the changed fields (ra-data-simple-rest PUTs the record).
  async update(resource, params) {
    const { json } = await httpClient(`${API_URL}/${resource}/${encodeURIComponent(String(params.id))}`, {
      method: 'PATCH',
      body: JSON.stringify(changedFields(params.data, params.previousData)),
    });
    return { data: json };
  },
  async incidentAction(id, action, body = {}) {
    const { json } = await httpClient(
      `${API_URL}/incidents/${encodeURIComponent(String(id))}/${action}`,
      { method: 'POST', body: JSON.stringify(body) },
    );
    return { data: json };
  },
};

/** The message a user should see for a failed request (Nest puts it in `message`, maybe as a list). */
export function errorMessage(error: unknown): string {
  if (error && typeof error === 'object') {
    const body = (error as { body?: { message?: unknown } }).body;
    const fromBody = body?.message;
    if (Array.isArray(fromBody)) return fromBody.join('; ');
    if (typeof fromBody === 'string' && fromBody) return fromBody;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
  }
  return 'The request failed';
}
