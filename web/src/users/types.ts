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
