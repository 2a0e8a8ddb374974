import type { ChangeBefore } from './incidents/changes-before';
import { fetchUtils, type DataProvider, type Identifier } from 'react-admin';
import simpleRestProvider from 'ra-data-simple-rest';
import { getToken } from './auth-provider';
import type { CalendarLink, OnCallNow } from './schedules/types';
import type { BacktestRequest, BacktestResult, LatencyAnswer, LatencyHistory } from './slos/types';
import type { RulesStatus } from './layout/types';
import type { ContactMethod, NotificationRules } from './users/types';

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
export type RollbackAction = 'approve' | 'retry' | 'cancel';

/**
 * The REST calls that are not CRUD. Components reach them through useDataProvider(), so a 401
 * signs the user out as it does for the CRUD calls (react-admin's checkError).
 */
export interface HeadroomDataProvider extends DataProvider {
  incidentAction(id: Identifier, action: IncidentAction, body?: Record<string, unknown>): Promise<{ data: unknown }>;
  /** The incident's postmortem draft, as markdown. */
  postmortem(id: Identifier): Promise<{ data: string }>;
  rollbackAction(id: Identifier, action: RollbackAction): Promise<{ data: unknown }>;
  createOverride(scheduleId: Identifier, override: { user: string; start: string; end: string }): Promise<{ data: unknown }>;
  calendarLink(scheduleId: Identifier): Promise<{ data: CalendarLink | null }>;
  /** A new calendar link (replacing the one before): its URL is in this answer only. */
  createCalendarLink(scheduleId: Identifier): Promise<{ data: CalendarLink & { url: string } }>;
  revokeCalendarLink(scheduleId: Identifier): Promise<{ data: null }>;
  onCallNow(): Promise<{ data: OnCallNow[] }>;
  sloLatency(id: Identifier, window: string, quantiles: number[]): Promise<{ data: LatencyAnswer }>;
  sloLatencyHistory(id: Identifier, params: { span: string; step: string; quantiles: number[] }): Promise<{ data: LatencyHistory }>;
  sloBacktest(id: Identifier, request: BacktestRequest): Promise<{ data: BacktestResult }>;
  /** When the alert rules were loaded, their problems, and the SLOs no source can feed. */
  rulesStatus(): Promise<{ data: RulesStatus }>;
  /** A person's contact methods and notification rules (their own, or anyone's for an admin). */
  contactMethods(userId: Identifier): Promise<{ data: ContactMethod[] }>;
  addContactMethod(userId: Identifier, method: Pick<ContactMethod, 'kind' | 'address' | 'label'>): Promise<{ data: ContactMethod }>;
  deleteContactMethod(userId: Identifier, methodId: number): Promise<{ data: null }>;
  notificationRules(userId: Identifier): Promise<{ data: NotificationRules }>;
  saveNotificationRules(userId: Identifier, rules: NotificationRules): Promise<{ data: NotificationRules }>;
  /** The changes an incident of `service` that started `at` is shown with, the suspect first. */
  changesBefore(service: string, at: string): Promise<{ data: ChangeBefore[] }>;
}

const base = simpleRestProvider(API_URL, httpClient);

/** `/api/<resource>/<id>/<rest>` */
const recordUrl = (resource: string, id: Identifier, rest = '') => `${API_URL}/${resource}/${encodeURIComponent(String(id))}${rest && `/${rest}`}`;

const postJson = (url: string, body: unknown = {}) => httpClient(url, { method: 'POST', body: JSON.stringify(body) });

/** The fields of an edit form that changed (what a PATCH sends; the server refuses the rest). */
export function changedFields(data: Record<string, unknown>, previous: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(previous?.[k])));
}

export const dataProvider: HeadroomDataProvider = {
  ...base,
  // Headroom's updates are PATCHes of the changed fields (ra-data-simple-rest PUTs the record).
  async update(resource, params) {
    const { json } = await httpClient(recordUrl(resource, params.id), {
      method: 'PATCH',
      body: JSON.stringify(changedFields(params.data, params.previousData)),
    });
    return { data: json };
  },
  async incidentAction(id, action, body = {}) {
    return { data: (await postJson(recordUrl('incidents', id, action), body)).json };
  },
  async postmortem(id) {
    const { body } = await httpClient(recordUrl('incidents', id, 'postmortem.md'), { headers: new Headers({ Accept: 'text/markdown' }) });
    return { data: body };
  },
  async rollbackAction(id, action) {
    return { data: (await postJson(recordUrl('rollback-executions', id, action))).json };
  },
  async createOverride(scheduleId, override) {
    return { data: (await postJson(recordUrl('schedules', scheduleId, 'overrides'), override)).json };
  },
  async calendarLink(scheduleId) {
    return { data: ((await httpClient(recordUrl('schedules', scheduleId, 'calendar-link'))).json as { link: CalendarLink | null }).link };
  },
  async createCalendarLink(scheduleId) {
    return { data: (await httpClient(recordUrl('schedules', scheduleId, 'calendar-link'), { method: 'POST' })).json };
  },
  async revokeCalendarLink(scheduleId) {
    await httpClient(recordUrl('schedules', scheduleId, 'calendar-link'), { method: 'DELETE' });
    return { data: null };
  },
  async onCallNow() {
    return { data: (await httpClient(`${API_URL}/oncall`)).json };
  },
  async sloLatency(id, window, quantiles) {
    const params = new URLSearchParams({ window, q: quantiles.join(',') });
    return { data: (await httpClient(`${recordUrl('slos', id, 'latency')}?${params}`)).json };
  },
  async sloLatencyHistory(id, { span, step, quantiles }) {
    const params = new URLSearchParams({ span, step, q: quantiles.join(',') });
    return { data: (await httpClient(`${recordUrl('slos', id, 'latency/history')}?${params}`)).json };
  },
  async sloBacktest(id, request) {
    return { data: (await postJson(recordUrl('slos', id, 'backtest'), request)).json };
  },
  async rulesStatus() {
    return { data: (await httpClient(`${API_URL}/rules/status`)).json };
  },
  async changesBefore(service, at) {
    return { data: (await httpClient(`${API_URL}/changes/before?${new URLSearchParams({ service, at })}`)).json };
  },
  async contactMethods(userId) {
    return { data: (await httpClient(recordUrl('users', userId, 'contact-methods'))).json };
  },
  async addContactMethod(userId, method) {
    return { data: (await postJson(recordUrl('users', userId, 'contact-methods'), method)).json };
  },
  async deleteContactMethod(userId, methodId) {
    await httpClient(recordUrl('users', userId, `contact-methods/${methodId}`), { method: 'DELETE' });
    return { data: null };
  },
  async notificationRules(userId) {
    return { data: (await httpClient(recordUrl('users', userId, 'notification-rules'))).json };
  },
  async saveNotificationRules(userId, rules) {
    return { data: (await httpClient(recordUrl('users', userId, 'notification-rules'), { method: 'PUT', body: JSON.stringify(rules) })).json };
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
