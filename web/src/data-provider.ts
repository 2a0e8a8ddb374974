import { fetchUtils, type DataProvider, type Identifier } from 'react-admin';
import simpleRestProvider from 'ra-data-simple-rest';
import { getToken } from './auth-provider';

export const API_URL = '/api';

export const httpClient = (url: string, options: fetchUtils.Options = {}) => {
  const headers = new Headers(options.headers ?? { Accept: 'application/json' });
  const token = getToken();
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return fetchUtils.fetchJson(url, { ...options, headers });
};

export type IncidentAction = 'acknowledge' | 'resolve';

export interface HeadroomDataProvider extends DataProvider {
  incidentAction(id: Identifier, action: IncidentAction): Promise<{ data: unknown }>;
}

const base = simpleRestProvider(API_URL, httpClient);

export const dataProvider: HeadroomDataProvider = {
  ...base,
  async incidentAction(id, action) {
    const { json } = await httpClient(
      `${API_URL}/incidents/${encodeURIComponent(String(id))}/${action}`,
      { method: 'POST', body: '{}' },
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
