/**
 * The acknowledge code in a person's SMS reply, read leniently: people type "ACK 4821",
 * "ack 4821", "Ack: 4821", "#4821" or just "4821" from a lock screen at 3 a.m., with whatever
 * case, spacing and punctuation their keyboard adds. Null when the reply holds no code, or more
 * than one number (which would be a guess).
 */
export function parseAckCode(text: string): string | null {
  const plain = text.normalize('NFKC').trim().toLowerCase();
  const m = /^(?:ack(?:nowledge[ds]?)?\b|ack(?=\d))?[\s:#.,-]*#?\s*(\d{3,12})[\s.!]*$/.exec(plain);
  return m ? m[1] : null;
}
