import type { Response } from 'express';
import { ValidationError } from './errors';

/**
 * react-admin's ra-data-simple-rest conventions: `sort=["field","ASC"]`, `range=[0,24]`,
 * `filter={"status":"triggered"}`, and the total in `Content-Range: <resource> 0-24/<total>`.
 */
export interface ListQuery {
  sort: { field: string; order: 'ASC' | 'DESC' };
  offset: number;
  limit: number;
  filter: Record<string, unknown>;
}

const MAX_PAGE = 500;
/** The furthest a page may start (a larger offset is no list anyone reads, and overflows the database's integer). */
const MAX_OFFSET = 1_000_000_000;

function parseJsonParam(name: string, raw: unknown): unknown {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new ValidationError([{ field: name, message: 'must be a JSON string' }]);
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError([{ field: name, message: 'is not valid JSON' }]);
  }
}

export function parseListQuery(
  query: Record<string, unknown>,
  sortable: readonly string[],
  defaultSort: ListQuery['sort'],
): ListQuery {
  const sortRaw = parseJsonParam('sort', query.sort);
  let sort = defaultSort;
  if (sortRaw !== undefined) {
    if (!Array.isArray(sortRaw) || sortRaw.length !== 2 || !sortable.includes(String(sortRaw[0]))) {
      throw new ValidationError([{ field: 'sort', message: `must be ["field","ASC"|"DESC"] with field one of ${sortable.join(', ')}` }]);
    }
    const order = String(sortRaw[1]).toUpperCase();
    if (order !== 'ASC' && order !== 'DESC') throw new ValidationError([{ field: 'sort', message: 'order must be ASC or DESC' }]);
    sort = { field: String(sortRaw[0]), order };
  }
  const rangeRaw = parseJsonParam('range', query.range);
  let offset = 0;
  let limit = 25;
  if (rangeRaw !== undefined) {
    if (!Array.isArray(rangeRaw) || rangeRaw.length !== 2 || !rangeRaw.every((n) => Number.isSafeInteger(n) && n >= 0) || rangeRaw[1] < rangeRaw[0]) {
      throw new ValidationError([{ field: 'range', message: 'must be [start,end] with 0 <= start <= end' }]);
    }
    if (rangeRaw[0] > MAX_OFFSET) throw new ValidationError([{ field: 'range', message: `start must be at most ${MAX_OFFSET}` }]);
    offset = rangeRaw[0];
    limit = Math.min(rangeRaw[1] - rangeRaw[0] + 1, MAX_PAGE);
  }
  const filterRaw = parseJsonParam('filter', query.filter) ?? {};
  if (typeof filterRaw !== 'object' || filterRaw === null || Array.isArray(filterRaw)) {
    throw new ValidationError([{ field: 'filter', message: 'must be a JSON object' }]);
  }
  return { sort, offset, limit, filter: filterRaw as Record<string, unknown> };
}

export function setContentRange(res: Response, resource: string, q: ListQuery, count: number, total: number): void {
  const end = count === 0 ? q.offset : q.offset + count - 1;
  res.setHeader('Content-Range', `${resource} ${q.offset}-${end}/${total}`);
  res.setHeader('Access-Control-Expose-Headers', 'Content-Range');
}

/**
 * A react-admin list of a small resource held in memory (loaded rules, keys): parses the query,
 * sets Content-Range and answers the requested page.
 */
export function listInMemory<T extends object>(res: Response, resource: string, query: Record<string, unknown>, all: T[], sortable: readonly string[], defaultSort: ListQuery['sort']): T[] {
  const q = parseListQuery(query, sortable, defaultSort);
  const page = pageInMemory(all, q);
  setContentRange(res, resource, q, page.length, all.length);
  return page;
}

/** Applies sort and range in memory, for small resources that are not in the database. */
export function pageInMemory<T extends object>(items: T[], q: ListQuery): T[] {
  const { field, order } = q.sort;
  const sign = order === 'ASC' ? 1 : -1;
  const sorted = [...items].sort((a, b) => {
    const x = (a as Record<string, unknown>)[field] as string | number;
    const y = (b as Record<string, unknown>)[field] as string | number;
    return x === y ? 0 : x > y ? sign : -sign;
  });
  return sorted.slice(q.offset, q.offset + q.limit);
}
