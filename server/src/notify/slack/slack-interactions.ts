import { Inject, Injectable, Optional } from '@nestjs/common';
import { App, ExpressReceiver, LogLevel, type BlockAction, type ButtonAction, type Logger as BoltLogger } from '@slack/bolt';
import type { Router } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { EXTENSION_ACTION_PREFIX, IncidentActions } from '../../common/incident-actions';
import { LOGGER, type Logger } from '../../common/logger';
import { IncidentsService } from '../../incidents/incidents.service';
import type { Actor } from '../../incidents/timeline-entry.entity';
import { EscalationEngine } from '../../oncall/escalation-engine';
import { ACTION_ACKNOWLEDGE, ACTION_ESCALATE, ACTION_RESOLVE } from './incident-message';

function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'slack-bolt' });
  let level = LogLevel.INFO;
  return {
    debug: (...m) => child.debug(m.map(String).join(' ')),
    info: (...m) => child.info(m.map(String).join(' ')),
    warn: (...m) => child.warn(m.map(String).join(' ')),
    error: (...m) => child.error(m.map(String).join(' ')),
    setLevel: (l) => (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * Slack's side of the conversation: button clicks arrive at POST /slack/events, Bolt verifies
 * the signing secret and the timestamp (401 otherwise), we ack at once and do the work after.
 */
@Injectable()
export class SlackInteractions {
  readonly router: Router | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly incidents: IncidentsService,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() private readonly actions?: IncidentActions,
    @Optional() private readonly escalations?: EscalationEngine,
  ) {
    if (!config.slack) {
      this.router = null;
      return;
    }
    const receiver = new ExpressReceiver({
      signingSecret: config.slack.signingSecret,
      endpoints: '/slack/events',
      processBeforeResponse: false,
      logger: boltLogger(logger),
    });
    const app = new App({
      token: config.slack.botToken,
      receiver,
      tokenVerificationEnabled: false,
      logger: boltLogger(logger),
      clientOptions: { slackApiUrl: config.slack.apiUrl },
    });
    app.action<BlockAction<ButtonAction>>(ACTION_ACKNOWLEDGE, async ({ ack, body, action }) => {
      await ack();
      await this.apply('acknowledge', Number(action.value), body);
    });
    app.action<BlockAction<ButtonAction>>(ACTION_RESOLVE, async ({ ack, body, action }) => {
      await ack();
      await this.apply('resolve', Number(action.value), body);
    });
    app.action<BlockAction<ButtonAction>>(ACTION_ESCALATE, async ({ ack, body, action }) => {
      await ack();
      await this.apply('escalate', Number(action.value), body);
    });
    // Buttons added by later stages (Roll back): each decides who may click and what happens.
    const prefix = new RegExp(`^${EXTENSION_ACTION_PREFIX.replace('.', '\\.')}`);
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: prefix }, async ({ ack, body, action }) => {
      await ack();
      const actor = { type: 'slack' as const, id: body.user.id, name: body.user.username ?? body.user.name ?? body.user.id };
      try {
        const handled = await this.actions?.click(action.action_id, action.value ?? '', actor);
        if (!handled) this.logger.warn({ actionId: action.action_id }, 'slack action with no handler');
      } catch (err) {
        this.logger.info({ actionId: action.action_id, user: actor.id, reason: (err as Error).message }, 'slack action not applied');
      }
    });
    app.error(async (err) => {
      this.logger.error({ err: err.message }, 'slack interaction failed');
    });
    this.router = receiver.router;
  }

  private async apply(what: 'acknowledge' | 'resolve' | 'escalate', incidentId: number, body: BlockAction): Promise<void> {
    const actor: Actor = { type: 'slack', id: body.user.id, name: body.user.username ?? body.user.name ?? body.user.id };
    try {
      if (what === 'acknowledge') await this.incidents.acknowledge(incidentId, actor);
      else if (what === 'resolve') await this.incidents.resolve(incidentId, actor);
      else if (this.escalations) await this.escalations.escalate(incidentId, actor);
    } catch (err) {
      // A second click on a stale message (already acknowledged…) is expected and harmless.
      this.logger.info({ incidentId, what, user: actor.id, reason: (err as Error).message }, 'slack action not applied');
    }
  }
}
