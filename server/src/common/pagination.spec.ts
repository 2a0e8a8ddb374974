import { parseListQuery } from './pagination';

describe('parseListQuery (react-admin list parameters)', () => {
  const parse = (query: Record<string, unknown>) => parseListQuery(query, ['id', 'title'], { field: 'id', order: 'DESC' });
  const problem = (query: Record<string, unknown>) => {
    try {
      parse(query);
      return null;
    } catch (err) {
      return { status: (err as { getStatus(): number }).getStatus(), message: (err as Error).message };
    }
  };

  it('reads sort, range and filter', () => {
    expect(parse({ sort: '["title","ASC"]', range: '[50,74]', filter: '{"status":"triggered"}' })).toEqual({ sort: { field: 'title', order: 'ASC' }, offset: 50, limit: 25, filter: { status: 'triggered' } });
  });

  it('answers 400 naming the parameter for ranges out of bounds, negative or not numbers (a 500 "bigint out of range" before)', () => {
    expect(problem({ range: '[1e300,1e301]' })).toEqual({ status: 400, message: 'range: must be [start,end] with 0 <= start <= end' });
    expect(problem({ range: '[2000000000,2000000001]' })).toEqual({ status: 400, message: 'range: start must be at most 1000000000' });
    expect(problem({ range: '[-5,3]' })?.status).toBe(400);
    expect(problem({ range: '["a",3]' })?.status).toBe(400);
    expect(problem({ range: '[0' })).toEqual({ status: 400, message: 'range: is not valid JSON' });
    expect(problem({ sort: '[{"x":1},"ASC"]' })?.message).toMatch(/^sort: must be/);
    expect(problem({ sort: '["id",1]' })).toEqual({ status: 400, message: 'sort: order must be ASC or DESC' });
  });
});
