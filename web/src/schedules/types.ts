export interface ScheduleUser {
  id: string | null;
  email: string;
  name: string;
}

export interface OnCall {
  user: ScheduleUser;
  layer: string | null;
  source: 'rotation' | 'swap' | 'override';
  shiftStart: string;
  shiftEnd: string;
}

export interface Shift {
  user: ScheduleUser;
  start: string;
  end: string;
  layer: string | null;
  source: 'rotation' | 'swap' | 'override';
  override: boolean;
}

export interface ParticipantProblem {
  field: string;
  user: string;
  message: string;
}

export interface Schedule {
  id: string;
  name: string;
  timeZone: string;
  file: string;
  layers: unknown[];
  onCallNow: OnCall | null;
  problems: ParticipantProblem[];
  shifts?: Shift[];
}

/** A schedule's calendar feed link (its URL is shown only when made). */
export interface CalendarLink {
  createdBy: string;
  createdAt: string;
}

/** GET /api/oncall: who is on call now, per schedule. */
export interface OnCallNow {
  schedule: { id: string; name: string };
  onCall: { user: { name: string; email: string }; shiftEnd: string } | null;
}
