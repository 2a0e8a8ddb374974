/**
 * The changes an incident is shown with: those of its service and of the services it depends
 * on, in the window before it opened, the suspect first — the latest deploy before the burn
 * began (of its own service before a dependency's), else the latest change of any kind. Pure.
 */

export interface ChangeFacts {
  id: number;
  service: string;
  kind: string;
  summary: string;
  version: string | null;
  previousVersion: string | null;
  link: string | null;
  at: Date;
  labels: Record<string, string>;
}

export type ChangeOnIncident<C extends ChangeFacts = ChangeFacts> = C & {
  suspect: boolean;
  /** Whole minutes between the change and the incident's start (0 for less than a minute). */
  minutesBefore: number;
};

export function changesBefore<C extends ChangeFacts>(changes: C[], service: string, startedAt: Date): Array<ChangeOnIncident<C>> {
  const before = changes.filter((c) => c.at.getTime() <= startedAt.getTime()).sort((a, b) => b.at.getTime() - a.at.getTime() || b.id - a.id);
  const deploys = before.filter((c) => c.kind === 'deploy');
  const suspect = deploys.find((c) => c.service === service) ?? deploys[0] ?? before[0];
  return [...(suspect ? [suspect] : []), ...before.filter((c) => c !== suspect)].map((c) => ({
    ...c,
    suspect: c === suspect,
    minutesBefore: Math.floor((startedAt.getTime() - c.at.getTime()) / 60_000),
  }));
}

/** One line for a page or a timeline: "deploy now-playing-ranker v42, 4 min before". */
export function describeChange(c: ChangeOnIncident): string {
  const what = `${c.kind} ${c.service}${c.version ? ` ${c.version}` : ''}`;
  const when = c.minutesBefore < 1 ? 'under a minute before' : c.minutesBefore < 120 ? `${c.minutesBefore} min before` : `${Math.floor(c.minutesBefore / 60)} h before`;
  return `${what}, ${when}: ${c.summary}`;
}
