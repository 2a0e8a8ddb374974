import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/auth.decorators';
import { UserStore } from '../auth/user-store';
import { CLOCK, type Clock } from '../common/clock';
import { ConflictError, NotFoundError, ValidationError } from '../common/errors';
import { pgCode } from '../incidents/incident-records';
import type { ContactMethod } from './contact-method.entity';
import { ContactsStore, type RuleLists } from './contacts.store';
import { addressProblem, URGENCIES, type ContactKind } from './notification-rules';

/** A rule line as the API shows and takes it: a contact method id, or 'slack' for the Slack DM. */
export interface RuleView {
  method: number | 'slack';
  delaySeconds: number;
}
export type RulesView = Record<'high' | 'low', RuleView[]>;

/**
 * A person's contact methods and notification rules, as the API changes them: a signed-in user
 * manages their own, an admin anyone's. Every change is in the audit log, with the rules as
 * they were and became.
 */
@Injectable()
export class ContactsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: ContactsStore,
    private readonly users: UserStore,
    private readonly audit: AuditService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async methods(userRef: string, p: Principal): Promise<ContactMethod[]> {
    return this.store.methods(await this.owner(userRef, p));
  }

  async addMethod(userRef: string, body: { kind: ContactKind; address: string; label?: string }, p: Principal): Promise<ContactMethod> {
    const userId = await this.owner(userRef, p);
    return this.change(p, 'contact_method.created', userId, async (m) => {
      const created = await this.store.insertMethod(m, { userId, kind: body.kind, address: body.address, label: body.label ?? '' });
      return { result: created, before: null, after: view(created) };
    });
  }

  async updateMethod(userRef: string, id: number, body: { address?: string; label?: string }, p: Principal): Promise<ContactMethod> {
    const userId = await this.owner(userRef, p);
    return this.change(p, 'contact_method.updated', userId, async (m) => {
      const method = await this.mine(m, userId, id);
      const before = view(method);
      if (body.address !== undefined) {
        const problem = addressProblem(method.kind, body.address);
        if (problem) throw new ValidationError([{ field: 'address', message: problem }]);
        method.address = body.address;
      }
      if (body.label !== undefined) method.label = body.label;
      const saved = await this.store.updateMethod(m, method);
      return { result: saved, before, after: view(saved) };
    });
  }

  async deleteMethod(userRef: string, id: number, p: Principal): Promise<void> {
    const userId = await this.owner(userRef, p);
    await this.change(p, 'contact_method.deleted', userId, async (m) => {
      const method = await this.mine(m, userId, id);
      await this.store.deleteMethod(m, id);
      return { result: undefined, before: view(method), after: null };
    });
  }

  async rules(userRef: string, p: Principal): Promise<RulesView> {
    return toView(await this.store.rules(await this.owner(userRef, p)));
  }

  /** Replaces both lists at once; every method named must be one of the person's own. */
  async replaceRules(userRef: string, body: RulesView, p: Principal): Promise<RulesView> {
    const userId = await this.owner(userRef, p);
    return this.change(p, 'notification_rules.updated', userId, async (m) => {
      const owned = new Set((await this.store.methods(userId, m)).map((x) => x.id));
      const issues = URGENCIES.flatMap((u) =>
        body[u].flatMap((line, i) => (line.method !== 'slack' && !owned.has(line.method) ? [{ field: `${u}.${i}.method`, message: `contact method ${line.method} is not one of this user's` }] : [])),
      );
      if (issues.length > 0) throw new ValidationError(issues);
      const before = toView(await this.store.rules(userId, m));
      const lists: RuleLists = {
        high: body.high.map((l) => ({ contactMethodId: l.method === 'slack' ? null : l.method, delaySeconds: l.delaySeconds })),
        low: body.low.map((l) => ({ contactMethodId: l.method === 'slack' ? null : l.method, delaySeconds: l.delaySeconds })),
      };
      await this.store.replaceRules(m, userId, lists);
      return { result: toView(lists), before, after: toView(lists) };
    });
  }

  /** The audit of an incident's sends beyond Slack. */
  sends(incidentId: number) {
    return this.store.forIncident(incidentId);
  }

  /** The user a request is about ('me': the signed-in user); only they and admins may see or change it. */
  private async owner(userRef: string, p: Principal): Promise<string> {
    const userId = userRef === 'me' ? (p.kind === 'user' ? p.id : null) : userRef;
    if (!userId) throw new ValidationError([{ field: 'id', message: "'me' needs a signed-in user; an API token names the user's id" }]);
    if (!/^[0-9a-f-]{36}$/i.test(userId)) throw new ValidationError([{ field: 'id', message: "must be a user id (uuid) or 'me'" }]);
    if (!(p.kind === 'user' && p.id === userId) && p.role !== 'admin') throw new ForbiddenException("only the user themself or an admin may see or change a user's contact methods and notification rules");
    if (!(await this.users.byId(userId))) throw new NotFoundError('user', userId);
    return userId;
  }

  private async mine(m: EntityManager, userId: string, id: number): Promise<ContactMethod> {
    const method = await this.store.method(id, m);
    if (!method || method.userId !== userId) throw new NotFoundError('contact method', id);
    return method;
  }

  private async change<T>(p: Principal, action: string, userId: string, work: (m: EntityManager) => Promise<{ result: T; before: unknown; after: unknown }>): Promise<T> {
    try {
      return await this.dataSource.transaction(async (m) => {
        const { result, before, after } = await work(m);
        await this.audit.record(m, {
          at: this.clock.now(), actor: { type: 'user', id: p.id, name: p.name }, action, entityType: 'user', entityId: userId,
          before: before as Record<string, unknown> | null, after: after as Record<string, unknown> | null,
        });
        return result;
      });
    } catch (err) {
      if (pgCode(err) === '23505') throw new ConflictError('this user already has that contact method');
      throw err;
    }
  }
}

function view(method: ContactMethod): Record<string, unknown> {
  return { id: method.id, kind: method.kind, address: method.address, label: method.label };
}

function toView(lists: RuleLists): RulesView {
  const one = (l: RuleLists['high']) => l.map((x) => ({ method: x.contactMethodId ?? ('slack' as const), delaySeconds: x.delaySeconds }));
  return { high: one(lists.high), low: one(lists.low) };
}
