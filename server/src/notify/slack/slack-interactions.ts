import { Inject, Injectable } from '@nestjs/common';
import { App, ExpressReceiver, LogLevel, type BlockAction, type ButtonAction, type Logger as BoltLogger, type RespondFn, type StaticSelectAction } from '@slack/bolt';
import type { Router } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { SlackIdentityService } from '../../auth/slack-identity';
import { EXTENSION_ACTION_PREFIX, INCIDENT_ACTIONS, type IncidentActionProvider } from '../../common/incident-actions';
import { LOGGER, type Logger } from '../../common/logger';
import { ACTION_ACKNOWLEDGE, ACTION_ESCALATE, ACTION_RESOLVE, ACTION_SNOOZE, parseSnoozeChoice } from './incident-message';
import { SlackCommands, type SlackIncidentAction, type SlackPerson } from './slack-commands';
import { SlackReplayGuard } from './slack-replay-guard';

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
 * Slack's side of the conversation: button clicks, the Snooze menu and the `/headroom` command
 * arrive at POST /slack/events, Bolt verifies the signing secret and the timestamp (401
 * otherwise), we ack at once and do the work after. Who may do what is SlackCommands' business;
 * refusals and changes that do not apply are answered to the person only (response_url).
 */
@Injectable()
export class SlackInteractions {
  /** What bootstrap mounts before Nest's body parsers: the replay guard, then Bolt's receiver. */
  readonly router: Router | null;
  readonly guard: ((req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void) | null;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly commands: SlackCommands,
    private readonly identity: SlackIdentityService,
    @Inject(LOGGER) private readonly logger: Logger,
    replay: SlackReplayGuard,
    @Inject(INCIDENT_ACTIONS) private readonly actions: IncidentActionProvider,
  ) {
    if (!config.slack) {
      this.router = null;
      this.guard = null;
      return;
    }
    this.guard = (req, res, next) => {
      if (req.method !== 'POST' || !req.url?.startsWith('/slack/events')) return next();
      replay.admit(req, res).then((admitted) => (admitted ? next() : undefined), next);
    };
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
    const buttons: Array<[string, SlackIncidentAction]> = [[ACTION_ACKNOWLEDGE, 'acknowledge'], [ACTION_RESOLVE, 'resolve'], [ACTION_ESCALATE, 'escalate']];
    for (const [actionId, what] of buttons) {
      app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
        await ack();
        await this.tell(respond, await this.commands.act(what, Number(action.value), personOf(body)));
      });
    }
    app.action<BlockAction<StaticSelectAction>>(ACTION_SNOOZE, async ({ ack, body, action, respond }) => {
      await ack();
      const choice = parseSnoozeChoice(action.selected_option?.value ?? '');
      if (!choice) return this.tell(respond, 'That is not a snooze Headroom offers (30 min, 1 h or 4 h).');
      await this.tell(respond, await this.commands.act('snooze', choice.incidentId, personOf(body), choice.seconds));
    });
    // Buttons added by later stages (Roll back): each decides what happens; the role check is here.
    const prefix = new RegExp(`^${EXTENSION_ACTION_PREFIX.replace('.', '\\.')}`);
    app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: prefix }, async ({ ack, body, action, respond }) => {
      await ack();
      const who = personOf(body);
      const auth = await this.identity.authorize(who.id, who.name);
      try {
        const handled = await this.actions.click(action.action_id, action.value ?? '', { ...auth.actor, allowed: auth.allowed });
        if (!handled) this.logger.warn({ actionId: action.action_id }, 'slack action with no handler');
        if (!auth.allowed) await this.tell(respond, `You cannot do that: ${auth.refusal}.`);
      } catch (err) {
        this.logger.info({ actionId: action.action_id, user: who.id, reason: (err as Error).message }, 'slack action not applied');
        await this.tell(respond, `Nothing changed: ${(err as Error).message}.`);
      }
    });
    // The slash command, whatever the app calls it (/headroom, /headroom-staging…).
    app.command(/^\/headroom/, async ({ ack, command, respond }) => {
      await ack();
      const reply = await this.commands.run(command.text ?? '', { id: command.user_id, name: command.user_name });
      await this.tell(respond, reply.text, reply.responseType);
    });
    app.error(async (err) => {
      this.logger.error({ err: err.message }, 'slack interaction failed');
    });
    this.router = receiver.router;
  }

  /** An answer to the person through the request's response_url; a failure to answer is only logged. */
  private async tell(respond: RespondFn, text: string | null, responseType: 'ephemeral' | 'in_channel' = 'ephemeral'): Promise<void> {
    if (!text) return;
    try {
      await respond({ response_type: responseType, replace_original: false, text });
    } catch (err) {
      this.logger.warn({ reason: (err as Error).message }, 'could not answer in slack (response_url)');
    }
  }
}

function personOf(body: BlockAction): SlackPerson {
  return { id: body.user.id, name: body.user.username ?? body.user.name ?? body.user.id };
}
