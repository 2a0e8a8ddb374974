import { z } from 'zod';
import { parseDuration } from '../common/duration';

/**
 * Escalation policies, as written under `escalationPolicies:` in alerts/*.yaml. A policy is an
 * ordered list of steps; each step notifies someone and then waits. When the last step's wait
 * passes with nobody acknowledging, the whole list runs again, `repeat` more times. A route
 * (routes.yaml) names the policy its incidents follow; the policy is copied into the incident
 * when it opens (EscalationPolicySnapshot), so editing the YAML never changes a running escalation.
 */

const policyName = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');
const duration = z.string().superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});
// Users are named by the email of their Headroom user; whether it exists is checked at run time.
const userEmail = z.string().trim().toLowerCase().pipe(z.email('must be the email address of a Headroom user'));
// A Slack channel id (C…/G…) or a name with or without '#'.
const channel = z.string().regex(/^(#?[a-z0-9][a-z0-9._-]*|[CG][A-Z0-9]{2,})$/, 'must be a Slack channel name such as #ranker-oncall or an id such as C012AB3CD');

const notifySchema = z
  .strictObject({
    /** The person on call for this schedule (schedules:) when the step is taken. */
    schedule: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be a schedule id').optional(),
    users: z.array(userEmail).min(1).optional(),
    channel: channel.optional(),
    /** A Slack user group (S…), mentioned in `channel` (or the incident's page channel) so Slack notifies its members. */
    userGroup: z.string().regex(/^S[A-Z0-9]{2,}$/, 'must be a Slack user group id such as S012AB3CD').optional(),
  })
  .refine((n) => n.schedule !== undefined || n.users !== undefined || n.channel !== undefined || n.userGroup !== undefined, 'must name a schedule, users, a channel or a userGroup');

const stepSchema = z.strictObject({
  notify: notifySchema,
  /** How long to wait after this step before taking the next one. */
  wait: duration,
});

export const escalationPolicySchema = z.strictObject({
  name: policyName,
  description: z.string().optional(),
  steps: z.array(stepSchema).min(1, 'must have at least one step'),
  /** Run the whole list of steps this many more times when nobody acknowledges. */
  repeat: z.number().int().min(0).max(10).default(0),
  /** Re-notify the people last paged when an acknowledged incident is still open this long after the acknowledgement (and again every such period). */
  reminderAfter: duration.optional(),
});

export type EscalationPolicySpec = z.output<typeof escalationPolicySchema>;
export type NotifyTargets = z.output<typeof notifySchema>;

export interface EscalationStepSnapshot {
  notify: NotifyTargets;
  waitSeconds: number;
}

/** A policy as copied into an escalation when its incident opens: plain JSON, durations in seconds. */
export interface EscalationPolicySnapshot {
  name: string;
  steps: EscalationStepSnapshot[];
  repeat: number;
  reminderAfterSeconds: number | null;
}

export function toPolicySnapshot(spec: EscalationPolicySpec): EscalationPolicySnapshot {
  return {
    name: spec.name,
    steps: spec.steps.map((s) => ({ notify: { ...s.notify }, waitSeconds: parseDuration(s.wait) })),
    repeat: spec.repeat,
    reminderAfterSeconds: spec.reminderAfter === undefined ? null : parseDuration(spec.reminderAfter),
  };
}
