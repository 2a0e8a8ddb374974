export interface Runbook {
  id: string;
  title: string;
  services: string[];
  alerts: string[];
  path: string;
  body?: string;
}
