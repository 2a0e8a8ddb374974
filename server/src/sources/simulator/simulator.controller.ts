import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole, userActor, type Principal } from '../../auth/auth.decorators';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { DEFAULT_SERVICE_PROFILES } from './traffic-model';
import { SIMULATOR_FAULT_KINDS, type SimulatorFaultKind } from './simulator-fault.entity';
import { SimulatorService, type FaultRequest } from './simulator.service';

const services = DEFAULT_SERVICE_PROFILES.map((p) => p.name) as [string, ...string[]];

/**
 * `value` is a latency multiplier for latency faults, a fraction of requests (0..1) for the
 * traffic faults, and for `experiment-harm` the relative harm (0..1) the treatments of the
 * service's running experiments do to their guardrails.
 */
export const faultRequestSchema = z
  .strictObject({
    service: z.enum(services, { error: `must be one of ${services.join(', ')}` }),
    kind: z.enum(SIMULATOR_FAULT_KINDS as [SimulatorFaultKind, ...SimulatorFaultKind[]], { error: `must be one of ${SIMULATOR_FAULT_KINDS.join(', ')}` }),
    value: z.number({ error: 'must be a number' }).finite(),
    durationSeconds: z.number({ error: 'must be a number of seconds' }).int('must be a whole number of seconds').positive().max(7 * 86400),
  })
  .superRefine((f, ctx) => {
    if (f.kind !== 'latency' && (f.value < 0 || f.value > 1)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `a ${f.kind} fault takes a fraction from 0 to 1` });
    }
    if (f.kind === 'latency' && (f.value < 1 || f.value > 100)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a latency fault takes a multiplier from 1 to 100' });
    }
  });

@Controller('api/simulator/faults')
export class SimulatorController {
  constructor(private readonly simulator: SimulatorService) {}

  @Get()
  list() {
    return this.simulator.listFaults();
  }

  @Post()
  @RequireRole('responder')
  inject(@Body(new ZodValidationPipe(faultRequestSchema)) body: FaultRequest, @CurrentPrincipal() p: Principal) {
    return this.simulator.injectFault(body, userActor(p));
  }

  @Delete()
  @HttpCode(200)
  @RequireRole('responder')
  clearAll(@CurrentPrincipal() p: Principal) {
    return this.simulator.clearAll(userActor(p));
  }

  @Delete(':id')
  @HttpCode(200)
  @RequireRole('responder')
  clear(@Param('id', ParseIntPipe) id: number, @CurrentPrincipal() p: Principal) {
    return this.simulator.clearFault(id, userActor(p));
  }
}
