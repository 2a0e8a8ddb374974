import { PrometheusQueryError, expectVector, parseQueryResponse, parseSampleValue, sumVector, type QueryResult } from './prometheus-response';

const body = (x: unknown) => JSON.stringify(x);
const success = (data: unknown) => body({ status: 'success', data });

function failure(status: number, text: string): PrometheusQueryError {
  try {
    parseQueryResponse(status, text);
  } catch (err) {
    if (err instanceof PrometheusQueryError) return err;
    throw err;
  }
  throw new Error('expected a PrometheusQueryError');
}

describe('parseQueryResponse', () => {
  it('reads an instant vector, values given as strings', () => {
    const r = parseQueryResponse(200, success({
      resultType: 'vector',
      result: [
        { metric: { job: 'ranker', code: '500' }, value: [1764000000.5, '0.25'] },
        { metric: {}, value: [1764000000.5, '3'] },
      ],
    }));
    expect(r).toEqual({
      resultType: 'vector',
      samples: [
        { metric: { job: 'ranker', code: '500' }, timestamp: 1764000000.5, value: 0.25 },
        { metric: {}, timestamp: 1764000000.5, value: 3 },
      ],
    });
  });

  it('reads a matrix, a scalar and a string', () => {
    expect(parseQueryResponse(200, success({
      resultType: 'matrix',
      result: [{ metric: { le: '0.1' }, values: [[1764000000, '1'], [1764000060, '+Inf']] }],
    }))).toEqual({
      resultType: 'matrix',
      series: [{ metric: { le: '0.1' }, points: [{ timestamp: 1764000000, value: 1 }, { timestamp: 1764000060, value: Number.POSITIVE_INFINITY }] }],
    });
    expect(parseQueryResponse(200, success({ resultType: 'scalar', result: [1764000000, '42'] }))).toEqual({ resultType: 'scalar', timestamp: 1764000000, value: 42 });
    expect(parseQueryResponse(200, success({ resultType: 'string', result: [1764000000, 'hello'] }))).toEqual({ resultType: 'string', timestamp: 1764000000, value: 'hello' });
  });

  it('ignores fields it does not use (warnings, infos, stats)', () => {
    const r = parseQueryResponse(200, body({ status: 'success', warnings: ['PromQL info: x'], data: { resultType: 'vector', result: [], stats: {} } }));
    expect(r).toEqual({ resultType: 'vector', samples: [] });
  });

  it("classifies Prometheus' error envelope with its errorType and the HTTP status", () => {
    const e = failure(400, body({ status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected "}"' }));
    expect(e.kind).toBe('api');
    expect(e.message).toBe('bad_data: 1:5: parse error: unexpected "}" (HTTP 400)');
    expect(failure(503, body({ status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' })).message).toBe(
      'timeout: query timed out in expression evaluation (HTTP 503)',
    );
    expect(failure(422, body({ status: 'error', errorType: 'execution', error: 'many-to-many matching not allowed' })).kind).toBe('api');
  });

  it('classifies an HTTP error without the envelope by status and an excerpt', () => {
    const e = failure(503, 'Service Unavailable\n');
    expect(e).toMatchObject({ kind: 'http', message: 'HTTP 503: Service Unavailable' });
    expect(failure(401, '')).toMatchObject({ kind: 'http', message: 'HTTP 401' });
    expect(failure(502, body({ message: 'bad gateway' }))).toMatchObject({ kind: 'http' });
    expect(failure(500, 'x'.repeat(1000)).message.length).toBeLessThan(230);
  });

  it('refuses a 2xx answer that is not the API shape', () => {
    expect(failure(200, '<html>login</html>')).toMatchObject({ kind: 'bad-response', message: 'answer is not JSON: <html>login</html>' });
    expect(failure(200, body({ hello: 'world' })).kind).toBe('bad-response');
    expect(failure(200, success({ resultType: 'vector', result: [{ metric: {}, value: [1, 2] }] })).message).toMatch(/^unexpected data at data\.result\.0\.value\.1/);
    expect(failure(200, success({ resultType: 'table', result: [] })).kind).toBe('bad-response');
    expect(failure(200, success({ resultType: 'vector', result: [{ metric: {}, value: [1, 'abc'] }] })).message).toBe('sample value "abc" is not a number');
  });

  it('refuses a native histogram sample where a float is needed', () => {
    const e = failure(200, success({ resultType: 'vector', result: [{ metric: {}, histogram: [1, { count: '3', sum: '1', buckets: [] }] }] }));
    expect(e.message).toMatch(/native histogram/);
  });
});

describe('parseSampleValue', () => {
  it.each([
    ['1', 1],
    ['0.000001', 1e-6],
    ['1e+06', 1e6],
    ['+Inf', Number.POSITIVE_INFINITY],
    ['-Inf', Number.NEGATIVE_INFINITY],
  ])('%s -> %p', (text, n) => {
    expect(parseSampleValue(text)).toBe(n);
  });

  it('keeps NaN as NaN', () => {
    expect(parseSampleValue('NaN')).toBeNaN();
  });
});

describe('expectVector and sumVector', () => {
  const vector = (...values: number[]): QueryResult => ({ resultType: 'vector', samples: values.map((value) => ({ metric: {}, timestamp: 1, value })) });

  it('sums the samples of a vector', () => {
    expect(sumVector(expectVector(vector(1.5, 2.5)))).toBe(4);
    expect(sumVector(expectVector(vector(0)))).toBe(0);
  });

  it('an empty vector is no data, never zero', () => {
    expect(() => sumVector(expectVector(vector()))).toThrow(expect.objectContaining({ kind: 'no-data' }));
  });

  it('NaN is an error', () => {
    expect(() => sumVector(expectVector(vector(1, Number.NaN)))).toThrow(expect.objectContaining({ kind: 'nan' }));
  });

  it('a scalar or a matrix is not a vector', () => {
    expect(() => expectVector({ resultType: 'scalar', timestamp: 1, value: 1 })).toThrow(expect.objectContaining({ kind: 'not-vector', message: 'expected an instant vector, got a scalar' }));
    expect(() => expectVector({ resultType: 'matrix', series: [] })).toThrow(expect.objectContaining({ kind: 'not-vector' }));
  });
});
