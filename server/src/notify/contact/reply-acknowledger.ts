import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../../common/clock';
import { ConflictError } from '../../common/errors';
import { IncidentsService } from '../../incidents/incidents.service';
import { ContactsStore } from '../../oncall/contacts.store';
import type { ReplyAcknowledger, ReplyOutcome } from './contact-sender';

const VIA: Record<'sms' | 'voice', string> = { sms: 'SMS', voice: 'phone call' };

/**
 * Acknowledges by reply (an SMS "4821", a code keyed in on a call): the code must be an open one
 * that was sent to the very number the reply comes from, and then acknowledges its incident as
 * the person it was sent to. Knowing a code is not enough; a wrong one does nothing.
 */
@Injectable()
export class ContactReplies implements ReplyAcknowledger {
  constructor(
    private readonly store: ContactsStore,
    private readonly incidents: IncidentsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async acknowledgeByReply(reply: { kind: 'sms' | 'voice'; from: string; code: string }): Promise<ReplyOutcome> {
    const code = reply.code.replace(/\D/g, '');
    if (!code) return { acknowledged: false, reason: 'no code in the reply' };
    const send = await this.store.openByCode(code, reply.from.trim());
    if (!send) return { acknowledged: false, reason: 'no open page with this code was sent to this number' };
    const incident = await this.incidents.get(send.incidentId);
    if (incident.status === 'resolved') {
      await this.store.closeCodes(incident.id);
      return { acknowledged: false, reason: `incident #${incident.id} is resolved` };
    }
    const actor = { type: 'user' as const, id: send.userId, name: send.userName };
    let already = incident.status === 'acknowledged';
    if (!already) {
      try {
        await this.incidents.acknowledge(incident.id, actor);
      } catch (err) {
        // Acknowledged (or snoozed) by someone else a moment ago: the reply changes nothing.
        if (!(err instanceof ConflictError)) throw err;
        already = true;
      }
    }
    await this.store.markAcknowledged(send.id, this.clock.now());
    await this.incidents.addNote(incident.id, actor, already ? 'notification.reply' : 'incident.acknowledged-by-reply',
      already ? `${send.userName} replied by ${VIA[reply.kind]} with the acknowledge code; the incident was already ${incident.status === 'snoozed' ? 'snoozed' : 'acknowledged'}` : `${send.userName} acknowledged via ${VIA[reply.kind]} reply (code sent to ${send.address.slice(-4).padStart(5, '…')})`,
      { sendId: send.id, kind: reply.kind, via: reply.kind });
    return { acknowledged: true, incidentId: incident.id, alreadyAcknowledged: already, userName: send.userName };
  }
}
