import { DeliveryError } from './delivery-error';
import { lookUp } from './incident-notifier';

describe('lookUp (a look for a message an earlier attempt may have sent)', () => {
  const waits: number[] = [];
  const wait = async (ms: number) => void waits.push(ms);
  beforeEach(() => (waits.length = 0));

  function failing(...errors: Array<DeliveryError | null>): () => Promise<string | null> {
    return async () => {
      const next = errors.shift();
      if (next) throw next;
      return '1700000000.000100';
    };
  }

  it('tries a failed look again at once (Retry-After honoured) and returns what it found', async () => {
    await expect(lookUp(failing(new DeliveryError('slack: ratelimited', true, 1000), new DeliveryError('slack: HTTP 500', true)), wait)).resolves.toBe('1700000000.000100');
    expect(waits).toEqual([1000, 500]);
  });

  it('never turns a look that kept failing into "not posted": the last failure is thrown', async () => {
    const err = new DeliveryError('slack: network error: socket hang up', true);
    await expect(lookUp(failing(err, err, err), wait)).rejects.toThrow('socket hang up');
    expect(waits).toHaveLength(2);
  });

  it('does not wait out a long Retry-After or retry a permanent error inside the attempt', async () => {
    await expect(lookUp(failing(new DeliveryError('slack: ratelimited', true, 30_000)), wait)).rejects.toThrow('ratelimited');
    await expect(lookUp(failing(new DeliveryError('slack: missing_scope', false)), wait)).rejects.toThrow('missing_scope');
    expect(waits).toEqual([]);
  });
});
