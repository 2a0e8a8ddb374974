import type { IncomingMessage } from 'node:http';
import { isJsonType } from './json-body';

const withType = (type?: string) => ({ headers: type === undefined ? {} : { 'content-type': type } }) as IncomingMessage;

describe('isJsonType', () => {
  it('takes application/json with any parameters, in any case', () => {
    expect(['application/json', 'application/json; charset=utf-8', 'Application/JSON ;charset=latin1'].map((t) => isJsonType(withType(t)))).toEqual([true, true, true]);
  });

  it('leaves other types and a missing header to other parsers', () => {
    expect(['application/x-protobuf', 'text/plain', 'application/vnd.api+json', undefined].map((t) => isJsonType(withType(t)))).toEqual([false, false, false, false]);
  });
});
