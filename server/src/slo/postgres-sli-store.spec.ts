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
      '0.1,0.2,0.3,1.5,2.5,0.025,0.05,0.25,123.456,-0.5,-0.0,1.,.5,.,-.5,1..2,0.1.2,1-2,-',
      '999999999999999,99999999999999.9,0.000000000000001,0.0000000000000001,1234567890.12345,1234567890.123456',
    ];
    for (const text of texts) expect([...parseNumbers(text)]).toEqual(text.split(',').map(Number));
    expect(Object.is(parseNumbers('-0')[0], -0)).toBe(true);
    expect(Object.is(parseNumbers('-0.0')[0], -0)).toBe(true);
    // Every decimal of up to 15 digits, at every scale, against Number.
    let seed = 11;
    const next = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    for (let i = 0; i < 20_000; i++) {
      const digits = String(Math.floor(next() * 10 ** (1 + Math.floor(next() * 15)))).slice(0, 15);
      const at = Math.floor(next() * (digits.length + 1));
      const text = `${next() < 0.2 ? '-' : ''}${digits.slice(0, at)}.${digits.slice(at)}`;
      expect(parseNumbers(text)[0]).toBe(Number(text));
    }
  });
});
