import { HttpException, Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { DataSource, type EntityManager } from 'typeorm';
import type { Role } from '../../auth/api-token.entity';
import { foreignOrigin } from '../../auth/csrf';
import { UserStore } from '../../auth/user-store';
import { CLOCK, type Clock } from '../../common/clock';
import { LOGGER, type Logger } from '../../common/logger';
import { returnedRows } from '../../common/returned-rows';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import type { Actor } from '../../incidents/actor';
import type { Incident } from '../../incidents/incident.entity';
import { IncidentsService } from '../../incidents/incidents.service';
import type { AckLinkSigner } from '../contact/contact-sender';
import type { AckPage } from './ack-page';
import { newNonce, signAckToken, verifyAckToken, type AckClaims } from './ack-token';

/** Used nonces are kept this long past their link's expiry, then deleted (an expired link is refused by its signature alone). */
const KEEP_USED_MS = 24 * 3600_000;

const ACTING_ROLES: readonly Role[] = ['responder', 'admin'];

/** Thrown inside the acknowledge transaction when the link's nonce was already recorded: undoes the acknowledgement. */
class LinkAlreadyUsed extends Error {}

type Checked =
  | { ok: true; claims: AckClaims; user: { id: string; name: string; email: string } }
  | { ok: false; page: AckPage };

/**
 * Acknowledge links in e-mails: signs them (AckLinkSigner) and answers them. Opening a link
 * (GET) only shows the incident and an "Acknowledge" button — mail scanners and link previews
 * open links, and must not acknowledge. Pressing it (POST) acknowledges as the person the link
 * was sent to, and records the link's nonce in the same transaction, so a link acknowledges
 * once, and only if the acknowledgement commits.
 */
@Injectable()
export class AckLinks implements AckLinkSigner {
  private secretPromise: Promise<string> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsService,
    private readonly users: UserStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async linkFor(incidentId: number, user: { email: string }): Promise<string> {
    const expiresAt = this.clock.now().getTime() + this.config.ackLinks.ttlHours * 3600_000;
    const token = signAckToken({ incidentId, email: user.email.trim().toLowerCase(), expiresAt, nonce: newNonce() }, await this.secret());
    return `${this.config.publicUrl}/ack/${token}`;
  }

  /** GET: what the link would do, with the button when it still can. Changes nothing. */
  async view(token: string): Promise<AckPage> {
    const checked = await this.check(token);
    if (!checked.ok) return checked.page;
    const { claims } = checked;
    const [used] = await this.dataSource.query(`SELECT used_at FROM ack_link_uses WHERE nonce = $1`, [claims.nonce]);
    if (used) return this.usedPage(claims, new Date(used.used_at));
    const incident = await this.incidentOrNull(claims.incidentId);
    if (!incident) return gonePage(claims.incidentId);
    const settled = this.settledPage(incident, 200);
    if (settled) return settled;
    return {
      status: 200,
      heading: 'Acknowledge this incident?',
      incident: this.summary(incident),
      lines: [`You are acknowledging as ${checked.user.name} (${checked.user.email}). Escalation stops for this incident.`],
      button: true,
    };
  }

  /** POST: acknowledges as the link's person and spends the link, together; or says why not. */
  async acknowledge(token: string, headers: IncomingHttpHeaders): Promise<AckPage> {
    const checked = await this.check(token);
    if (!checked.ok) return checked.page;
    const { claims, user } = checked;
    // The token is the credential, so a form on another site could only send a token it already
    // has; still, only Headroom's own page posts here, and a browser that says otherwise is refused.
    const foreign = foreignOrigin(headers, this.config.publicUrl);
    if (foreign) {
      return { status: 403, heading: 'Not acknowledged', lines: ['This button works only on the page Headroom shows for the link. Open the link from the e-mail again.'] };
    }
    const actor: Actor = { type: 'user', id: user.id, name: `${user.name} (via email link)` };
    try {
      const incident = await this.incidents.acknowledge(claims.incidentId, actor, (m) => this.spend(m, claims));
      this.logger.info({ incident: incident.id, user: user.email }, 'incident acknowledged from an e-mail link');
      return {
        status: 200,
        heading: 'Acknowledged',
        incident: this.summary(incident),
        lines: [`You (${user.name}) acknowledged this incident. Escalation stops; the timeline says it was acknowledged from the e-mail link.`],
      };
    } catch (err) {
      if (err instanceof LinkAlreadyUsed) {
        const [used] = await this.dataSource.query(`SELECT used_at FROM ack_link_uses WHERE nonce = $1`, [claims.nonce]);
        return this.usedPage(claims, used ? new Date(used.used_at) : null);
      }
      if (err instanceof HttpException && (err.getStatus() === 409 || err.getStatus() === 404)) {
        const incident = await this.incidentOrNull(claims.incidentId);
        if (!incident) return gonePage(claims.incidentId);
        const settled = this.settledPage(incident, 409);
        if (settled) return settled;
      }
      throw err;
    }
  }

  /** Signature, expiry and the person: the checks every answer starts with. */
  private async check(token: string): Promise<Checked> {
    const verified = verifyAckToken(token, await this.secret(), this.clock.now().getTime());
    if (!verified.ok) {
      if (verified.reason === 'expired') {
        return {
          ok: false,
          page: {
            status: 410,
            heading: 'This link has expired',
            lines: [
              `Acknowledge links work for ${this.config.ackLinks.ttlHours} hours; this one expired at ${new Date(verified.claims.expiresAt).toISOString()}.`,
              'Acknowledge in Headroom or in Slack instead.',
            ],
            incident: undefined,
          },
        };
      }
      // Malformed or forged look the same to the person: the link is not one Headroom made.
      return {
        ok: false,
        page: { status: verified.reason === 'forged' ? 403 : 400, heading: 'This link is not valid', lines: ['It may have been cut or changed on its way. Open it again from the e-mail, or acknowledge in Headroom or in Slack.'] },
      };
    }
    const user = await this.users.byEmail(verified.claims.email);
    if (!user || !user.active) {
      return { ok: false, page: { status: 403, heading: 'Not acknowledged', lines: [`${verified.claims.email} is not an active Headroom user any more, so this link cannot act for them.`] } };
    }
    // The same rule as the API and Slack: a link acts for its person, never beyond their role.
    if (!ACTING_ROLES.includes(user.role)) {
      return { ok: false, page: { status: 403, heading: 'Not acknowledged', lines: [`Your Headroom role is ${user.role}; only responders and admins may acknowledge incidents.`] } };
    }
    return { ok: true, claims: verified.claims, user };
  }

  private async spend(m: EntityManager, claims: AckClaims): Promise<void> {
    const now = this.clock.now();
    const inserted = returnedRows(await m.query(
      `INSERT INTO ack_link_uses (nonce, incident_id, user_email, used_at, expires_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ON CONSTRAINT pk_ack_link_uses DO NOTHING RETURNING nonce`,
      [claims.nonce, claims.incidentId, claims.email, now.toISOString(), new Date(claims.expiresAt).toISOString()],
    ));
    if (inserted.length === 0) throw new LinkAlreadyUsed();
    await m.query(`DELETE FROM ack_link_uses WHERE expires_at < $1`, [new Date(now.getTime() - KEEP_USED_MS).toISOString()]);
  }

  private usedPage(claims: AckClaims, usedAt: Date | null): AckPage {
    return {
      status: 409,
      heading: 'This link was already used',
      lines: [`It acknowledged incident #${claims.incidentId}${usedAt ? ` at ${usedAt.toISOString()}` : ''}; each link works once.`],
    };
  }

  /** The page for an incident nobody needs to acknowledge any more, or null when it still waits. */
  private settledPage(incident: Incident, status: number): AckPage | null {
    if (incident.status === 'acknowledged') {
      return { status, heading: 'Already acknowledged', incident: this.summary(incident), lines: [`${incident.acknowledgedBy ?? 'Someone'} acknowledged it${incident.acknowledgedAt ? ` at ${incident.acknowledgedAt.toISOString()}` : ''}.`] };
    }
    if (incident.status === 'resolved') {
      return { status, heading: 'Already resolved', incident: this.summary(incident), lines: [`${incident.resolvedBy ?? 'Someone'} resolved it${incident.resolvedAt ? ` at ${incident.resolvedAt.toISOString()}` : ''}; there is nothing to acknowledge.`] };
    }
    return null;
  }

  private summary(i: Incident): NonNullable<AckPage['incident']> {
    return { id: i.id, title: i.title, service: i.service, severity: i.severity, status: i.status, url: `${this.config.publicUrl}/#/incidents/${i.id}/show` };
  }

  private async incidentOrNull(id: number): Promise<Incident | null> {
    try {
      return await this.incidents.get(id);
    } catch (err) {
      if (err instanceof HttpException && err.getStatus() === 404) return null;
      throw err;
    }
  }

  /**
   * HEADROOM_ACK_LINK_SECRET, or else the one generated at first use and kept in the database:
   * every process (and every restart) signs and verifies with the same one.
   */
  private secret(): Promise<string> {
    if (this.config.ackLinks.secret) return Promise.resolve(this.config.ackLinks.secret);
    this.secretPromise ??= (async () => {
      await this.dataSource.query(`INSERT INTO ack_link_secret (id, secret) VALUES (1, $1) ON CONFLICT ON CONSTRAINT pk_ack_link_secret DO NOTHING`, [randomBytes(32).toString('base64url')]);
      const [row] = await this.dataSource.query(`SELECT secret FROM ack_link_secret WHERE id = 1`);
      return row.secret as string;
    })().catch((err: unknown) => {
      this.secretPromise = null;
      throw err;
    });
    return this.secretPromise;
  }
}

function gonePage(id: number): AckPage {
  return { status: 404, heading: 'No such incident', lines: [`Incident #${id} does not exist (any more).`] };
}
