import { parseNumbers } from './postgres-sli-store';

describe('parseNumbers', () => {
  it('reads comma-separated numbers exactly as Number does, whatever the text', () => {
    const texts = [
      '29412345',
      '1,2,3',
      '-5,0,7',
      '-0',
      '007,10',
      '0.025,0.05,Infinity,-Infinity,NaN',
      '1e-05,2.5e+20,123456789012345,1234567890123456,12345678901234567',
      '',
      '1,,2',
      '-',
      '--1',
      '1-',
      '1.5,2',
      ' 1',
      '+1',
    ];
    for (const text of texts) expect([...parseNumbers(text)]).toEqual(text.split(',').map(Number));
    expect(Object.is(parseNumbers('-0')[0], -0)).toBe(true);
  });
});
