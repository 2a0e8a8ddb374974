import { Injectable } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { returnedRows } from '../common/returned-rows';
import { ContactMethod } from './contact-method.entity';
import { ContactSend, type ContactSendStatus } from './contact-send.entity';
import { NotificationRule } from './notification-rule.entity';
import { ackCode, type ContactKind, type MethodRef, type RuleLine, type Urgency } from './notification-rules';

/** Codes of this many digits are tried this many times before a longer code is used (many open codes at once). */
const SHORT_CODE_TRIES = 20;
/** A code nobody used in a week is closed: an incident still open after that is paged again anyway. */
const CODE_OPEN_DAYS = 7;

export interface SendDraft {
  incidentId: number;
  user: { id: string | null; email: string; name: string };
  kind: ContactKind;
  address: string;
  outboxKey: string;
  reason: string;
  dueAt: Date;
}

export type RuleLists = Record<Urgency, RuleLine[]>;

/**
 * The tables of people's contact methods, notification rules and the audit of sends (oncall owns
 * them); others call here. Methods that take an EntityManager run in the caller's transaction.
 */
@Injectable()
export class ContactsStore {
  constructor(private readonly dataSource: DataSource) {}

  methods(userId: string, m: EntityManager = this.dataSource.manager): Promise<ContactMethod[]> {
    return m.getRepository(ContactMethod).find({ where: { userId }, order: { id: 'ASC' } });
  }

  async method(id: number, m: EntityManager = this.dataSource.manager): Promise<ContactMethod | null> {
    return m.getRepository(ContactMethod).findOneBy({ id });
  }

  async rules(userId: string, m: EntityManager = this.dataSource.manager): Promise<RuleLists> {
    const rows = await m.getRepository(NotificationRule).find({ where: { userId }, order: { urgency: 'ASC', position: 'ASC' } });
    const lists: RuleLists = { high: [], low: [] };
    for (const r of rows) lists[r.urgency].push({ contactMethodId: r.contactMethodId, delaySeconds: r.delaySeconds });
    return lists;
  }

  /** One person's rule list for an urgency and the methods it can name, read in the paging transaction. */
  async plan(m: EntityManager, userId: string, urgency: Urgency): Promise<{ lines: RuleLine[]; methods: MethodRef[] }> {
    const [lists, methods] = [await this.rules(userId, m), await this.methods(userId, m)];
    return { lines: lists[urgency], methods: methods.map(ref) };
  }

  async insertMethod(m: EntityManager, draft: { userId: string; kind: ContactKind; address: string; label: string }): Promise<ContactMethod> {
    return m.getRepository(ContactMethod).save(m.create(ContactMethod, draft));
  }

  async updateMethod(m: EntityManager, method: ContactMethod): Promise<ContactMethod> {
    method.updatedAt = new Date();
    return m.getRepository(ContactMethod).save(method);
  }

  /** Deletes a method and (by the foreign key) every rule line that names it. */
  async deleteMethod(m: EntityManager, id: number): Promise<void> {
    await m.getRepository(ContactMethod).delete({ id });
  }

  async replaceRules(m: EntityManager, userId: string, lists: RuleLists): Promise<void> {
    await m.getRepository(NotificationRule).delete({ userId });
    const rows = (Object.keys(lists) as Urgency[]).flatMap((urgency) =>
      lists[urgency].map((line, position) => m.create(NotificationRule, { userId, urgency, position, contactMethodId: line.contactMethodId, delaySeconds: line.delaySeconds })),
    );
    if (rows.length > 0) await m.getRepository(NotificationRule).insert(rows);
  }

  /**
   * Records a send with a fresh acknowledge code, unique among open codes (the partial unique
   * index decides; a taken code is drawn again). Null when the outbox key was recorded before:
   * a repeated pass queues nothing twice.
   */
  async queueSend(m: EntityManager, draft: SendDraft, random: () => number = () => randomInt(0, 2 ** 32) / 2 ** 32): Promise<{ id: number; ackCode: string } | null> {
    for (let tried = 0; ; tried++) {
      if (tried === SHORT_CODE_TRIES) {
        await m.query(`UPDATE contact_sends SET code_open = false WHERE code_open AND created_at < now() - make_interval(days => $1)`, [CODE_OPEN_DAYS]);
      }
      const code = ackCode(random, tried < SHORT_CODE_TRIES ? 4 : 6);
      const rows = returnedRows<{ id: number }>(await m.query(
        `INSERT INTO contact_sends (incident_id, user_id, user_email, user_name, kind, address, outbox_key, ack_code, reason, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
        [draft.incidentId, draft.user.id, draft.user.email, draft.user.name, draft.kind, draft.address, draft.outboxKey, code, draft.reason, draft.dueAt.toISOString()],
      ));
      if (rows.length > 0) return { id: Number(rows[0].id), ackCode: code };
      const [known] = await m.query(`SELECT 1 FROM contact_sends WHERE outbox_key = $1`, [draft.outboxKey]);
      if (known) return null;
      if (tried > SHORT_CODE_TRIES + 50) throw new Error('no free acknowledge code');
    }
  }

  bySendKey(outboxKey: string): Promise<ContactSend | null> {
    return this.dataSource.getRepository(ContactSend).findOneBy({ outboxKey });
  }

  /** What became of a send; `closeCode` when its code can no longer acknowledge anything. */
  async finish(id: number, status: ContactSendStatus, detail: { detail?: string | null; receipt?: Record<string, unknown> | null; closeCode?: boolean }): Promise<void> {
    await this.dataSource.query(
      `UPDATE contact_sends SET status = $2, detail = $3, receipt = coalesce($4, receipt), code_open = code_open AND NOT $5, updated_at = now() WHERE id = $1`,
      [id, status, detail.detail ?? null, detail.receipt ? JSON.stringify(detail.receipt) : null, detail.closeCode ?? false],
    );
  }

  /** The audit of an incident's sends, oldest first. */
  forIncident(incidentId: number): Promise<ContactSend[]> {
    return this.dataSource.getRepository(ContactSend).find({ where: { incidentId }, order: { id: 'ASC' } });
  }

  /** The open send with this code to this phone number (an SMS or a call), newest first. */
  async openByCode(code: string, phone: string): Promise<ContactSend | null> {
    return this.dataSource
      .getRepository(ContactSend)
      .createQueryBuilder('s')
      .where(`s.ack_code = :code AND s.code_open AND s.address = :phone AND s.kind IN ('sms', 'voice')`, { code, phone })
      .orderBy('s.id', 'DESC')
      .getOne();
  }

  async markAcknowledged(id: number, at: Date): Promise<void> {
    await this.dataSource.query(`UPDATE contact_sends SET acknowledged_at = $2, code_open = false, updated_at = now() WHERE id = $1`, [id, at.toISOString()]);
  }

  /** A resolved incident's codes acknowledge nothing any more. */
  async closeCodes(incidentId: number, m: EntityManager = this.dataSource.manager): Promise<void> {
    await m.query(`UPDATE contact_sends SET code_open = false WHERE incident_id = $1 AND code_open`, [incidentId]);
  }
}

function ref(method: ContactMethod): MethodRef {
  return { id: method.id, kind: method.kind, address: method.address, label: method.label };
}
