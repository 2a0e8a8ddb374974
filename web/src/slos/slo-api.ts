import { API_URL, httpClient } from '../data-provider';
import type { BacktestRequest, BacktestResult, LatencyAnswer } from './types';

/**
 * The SLO routes that are not react-admin CRUD (latency, back-test). They go through the same
 * authenticated client as the data provider, so a 401 signs the user out the same way.
 */
const sloUrl = (id: string, rest: string) => `${API_URL}/slos/${encodeURIComponent(id)}/${rest}`;

export async function fetchLatency(id: string, window: string, quantiles: number[]): Promise<LatencyAnswer> {
  const params = new URLSearchParams({ window, q: quantiles.join(',') });
  const { json } = await httpClient(`${sloUrl(id, 'latency')}?${params}`);
  return json as LatencyAnswer;
}

export async function runBacktest(id: string, request: BacktestRequest): Promise<BacktestResult> {
  const { json } = await httpClient(sloUrl(id, 'backtest'), { method: 'POST', body: JSON.stringify(request) });
  return json as BacktestResult;
}
