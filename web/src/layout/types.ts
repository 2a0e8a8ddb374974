/** GET /api/rules/status (server/src/rules/rules.service.ts). */
export interface IdleSlo {
  slo: string;
  source: string;
  reason: string;
}

export interface RulesStatus {
  loadedAt: string;
  slos: number;
  runbooks: number;
  problems: Array<{ file: string; line: number; field: string; message: string }>;
  idleSlos: IdleSlo[];
}
