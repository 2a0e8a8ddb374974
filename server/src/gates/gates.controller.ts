import { Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IntegrationOrRoleEndpoint } from '../auth/integration-key.guard';
import { ValidationError } from '../common/errors';
import { GatesService, type GateQuery } from './gates.service';

type GateRequest = GateQuery & { failStatus?: string };

/**
 * `GET|POST /api/gates/<service>`: 200 `{pass: true, …}`, or 412 `{pass: false, reasons}`.
 * Flagger's webhooks decide on the status (it POSTs its payload, which is not read); Argo
 * Rollouts' web metric reads `{$.pass}` but takes any non-2xx as an error of the measurement,
 * not a failure, so it asks with `failStatus=200` (docs/changes.md). A `changes` integration
 * key (the deploy tool's) or any API token.
 */
@Controller('api/gates')
export class GatesController {
  constructor(private readonly gates: GatesService) {}

  @Get()
  @IntegrationOrRoleEndpoint('changes', 'viewer')
  calls() {
    return this.gates.calls();
  }

  @Get(':service')
  @IntegrationOrRoleEndpoint('changes', 'viewer')
  get(@Param('service') service: string, @Query() query: GateRequest, @Res({ passthrough: true }) res: Response) {
    return this.answer(service, query, res);
  }

  @Post(':service')
  @IntegrationOrRoleEndpoint('changes', 'viewer')
  post(@Param('service') service: string, @Query() query: GateRequest, @Res({ passthrough: true }) res: Response) {
    return this.answer(service, query, res);
  }

  private async answer(service: string, query: GateRequest, res: Response) {
    const failStatus = query.failStatus === undefined ? 412 : Number(query.failStatus);
    if (failStatus !== 412 && failStatus !== 200) throw new ValidationError([{ field: 'failStatus', message: 'must be 412 (the default) or 200' }]);
    const decision = await this.gates.check(service, query);
    res.status(decision.pass ? 200 : failStatus);
    return decision;
  }
}
