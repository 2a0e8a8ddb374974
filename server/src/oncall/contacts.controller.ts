import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Put } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireRole, type Principal } from '../auth/auth.decorators';
import { SanitizePipe } from '../common/text-sanitizer';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { ContactsService } from './contacts.service';
import { addressProblem, CONTACT_KINDS, MAX_RULE_DELAY_SECONDS, type ContactKind } from './notification-rules';

const label = z.string().trim().max(100, 'must be at most 100 characters');

const createMethodSchema = z
  .strictObject({
    kind: z.enum(CONTACT_KINDS as unknown as [ContactKind, ...ContactKind[]], { error: `must be one of ${CONTACT_KINDS.join(', ')}` }),
    address: z.string().trim().min(1, 'must not be empty'),
    label: label.optional(),
  })
  .superRefine((v, ctx) => {
    const problem = addressProblem(v.kind, v.address);
    if (problem) ctx.addIssue({ code: 'custom', path: ['address'], message: problem });
  });

// The kind of a method cannot change (its rules were written for it): the address is checked against the stored kind.
const updateMethodSchema = z.strictObject({ address: z.string().trim().min(1, 'must not be empty').optional(), label: label.optional() });

const ruleLine = z.strictObject({
  method: z.union([z.literal('slack'), z.number().int().positive()], { error: "must be 'slack' or the id of one of the user's contact methods" }),
  delaySeconds: z.number().int('must be whole seconds').min(0, 'must not be negative').max(MAX_RULE_DELAY_SECONDS, `must be at most ${MAX_RULE_DELAY_SECONDS} (a day)`),
});
const rulesSchema = z.strictObject({
  high: z.array(ruleLine).max(20, 'at most 20 lines'),
  low: z.array(ruleLine).max(20, 'at most 20 lines'),
});

/**
 * A person's contact methods and notification rules: `:id` is a user id, or `me` for the signed-in
 * user. Changes need a responder (viewers change nothing; people who are paged are responders)
 * and the person themself or an admin (ContactsService checks).
 */
@Controller('api/users/:id')
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get('contact-methods')
  methods(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    return this.contacts.methods(id, p);
  }

  @Post('contact-methods')
  @RequireRole('responder')
  add(@Param('id') id: string, @Body(new SanitizePipe(), new ZodValidationPipe(createMethodSchema)) body: z.infer<typeof createMethodSchema>, @CurrentPrincipal() p: Principal) {
    return this.contacts.addMethod(id, body, p);
  }

  @Patch('contact-methods/:methodId')
  @RequireRole('responder')
  update(@Param('id') id: string, @Param('methodId', ParseIntPipe) methodId: number, @Body(new SanitizePipe(), new ZodValidationPipe(updateMethodSchema)) body: z.infer<typeof updateMethodSchema>, @CurrentPrincipal() p: Principal) {
    return this.contacts.updateMethod(id, methodId, body, p);
  }

  @Delete('contact-methods/:methodId')
  @RequireRole('responder')
  @HttpCode(204)
  remove(@Param('id') id: string, @Param('methodId', ParseIntPipe) methodId: number, @CurrentPrincipal() p: Principal) {
    return this.contacts.deleteMethod(id, methodId, p);
  }

  @Get('notification-rules')
  rules(@Param('id') id: string, @CurrentPrincipal() p: Principal) {
    return this.contacts.rules(id, p);
  }

  @Put('notification-rules')
  @RequireRole('responder')
  replaceRules(@Param('id') id: string, @Body(new ZodValidationPipe(rulesSchema)) body: z.infer<typeof rulesSchema>, @CurrentPrincipal() p: Principal) {
    return this.contacts.replaceRules(id, body, p);
  }
}

/** The audit of an incident's sends beyond Slack: who was reached how, when, and what became of it. */
@Controller('api/incidents')
export class ContactSendsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get(':id/contact-sends')
  sends(@Param('id', ParseIntPipe) id: number) {
    return this.contacts.sends(id);
  }
}
