/**
 * The rows of an `UPDATE … RETURNING` run through `EntityManager.query`: TypeORM's PostgreSQL
 * driver hands back `[rows, count]` for UPDATE and DELETE, and the rows alone for the rest.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return (result ?? []) as T[];
}
