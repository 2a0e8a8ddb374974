import { parseAckCode } from './ack-code';

describe('parseAckCode (the code in an SMS reply)', () => {
  it.each([
    ['ACK 4821', '4821'],
    ['ack 4821', '4821'],
    ['4821', '4821'],
    ['Ack 4821', '4821'],
    ['ACK4821', '4821'],
    ['ack: 4821', '4821'],
    ['ACK #4821', '4821'],
    ['#4821', '4821'],
    ['  4821.  ', '4821'],
    ['4821!', '4821'],
    ['Acknowledge 4821', '4821'],
    ['acknowledged 4821', '4821'],
    ['ACK\n4821', '4821'],
    // A phone's full-width digits (some keyboards) are digits all the same.
    ['ACK ４８２１', '4821'],
    ['ack 000123', '000123'],
  ])('reads %j as %s', (text, code) => {
    expect(parseAckCode(text)).toBe(code);
  });

  it.each(['', 'ack', 'ACK', 'STOP', 'hello', 'yes', 'ack 12', '4821 1234', 'ack 4821 and 1234', 'not 4821', 'ACK 48a21', 'ackbar 4821', '48.21'])(
    'finds no code in %j',
    (text) => {
      expect(parseAckCode(text)).toBeNull();
    },
  );
});
