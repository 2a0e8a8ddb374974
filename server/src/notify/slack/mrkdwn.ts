/**
 * Text for Slack's mrkdwn from anything Headroom did not write itself (an alert's title or
 * labels, a service name, a note, a person's name): `&`, `<` and `>` escaped, Slack's own rule.
 * Unescaped, an alert could mention `<!channel>`, or show a link whose words say "Acknowledge
 * in Headroom" and whose address is anywhere.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
