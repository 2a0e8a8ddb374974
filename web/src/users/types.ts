import type { Role } from '../auth-provider';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  timeZone: string;
  slackUserId: string | null;
  createdAt: string;
  disabledAt: string | null;
}

export const ROLE_CHOICES = [
  { id: 'viewer', name: 'Viewer (reads everything)' },
  { id: 'responder', name: 'Responder (acts on incidents)' },
  { id: 'admin', name: 'Admin (manages people and keys)' },
];

export type ContactKind = 'email' | 'sms' | 'voice' | 'push';

export interface ContactMethod {
  id: number;
  kind: ContactKind;
  address: string;
  label: string;
}

/** One step of a rule list: a contact method id, or 'slack' for the Slack DM, after a delay. */
export interface RuleLine {
  method: number | 'slack';
  delaySeconds: number;
}

export interface NotificationRules {
  high: RuleLine[];
  low: RuleLine[];
}

export const CONTACT_KIND_CHOICES: Array<{ id: ContactKind; name: string; placeholder: string }> = [
  { id: 'sms', name: 'SMS', placeholder: '+14155550123' },
  { id: 'voice', name: 'Phone call', placeholder: '+14155550123' },
  { id: 'email', name: 'Email', placeholder: 'you@example.com' },
  { id: 'push', name: 'Push (webhook)', placeholder: 'https://ntfy.example.com/your-topic' },
];
