import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { IncidentsModule } from '../incidents/incidents.module';
import { OncallModule } from '../oncall/oncall.module';
import { SloModule } from '../slo/slo.module';
import { DeliveryChannels } from './delivery-channels';
import { IncidentNotifier } from './incident-notifier';
import { OutboxWorker } from './outbox-worker';
import { WebClientSlackApi } from './slack/slack-api';
import { SLACK_API } from './slack/slack.constants';
import { SlackCommands } from './slack/slack-commands';
import { SlackInteractions } from './slack/slack-interactions';
import { SlackReplayGuard } from './slack/slack-replay-guard';
import { ContactDelivery } from './contact/contact-delivery';
import { CONTACT_SENDERS, REPLY_ACKNOWLEDGER, type ContactSender } from './contact/contact-sender';
import { ContactReplies } from './contact/reply-acknowledger';
import { SlackFallback } from './contact/slack-fallback';
import { PushSender } from './push/push-sender';

@Module({
  imports: [IncidentsModule, OncallModule, SloModule],
  providers: [
    IncidentNotifier,
    OutboxWorker,
    DeliveryChannels,
    SlackCommands,
    SlackInteractions,
    SlackReplayGuard,
    ContactDelivery,
    ContactReplies,
    SlackFallback,
    { provide: REPLY_ACKNOWLEDGER, useExisting: ContactReplies },
    { provide: PushSender, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new PushSender(config.push) },
    // Every configured sender; one per kind. A kind without one is recorded as failed when a rule uses it.
    { provide: CONTACT_SENDERS, inject: [PushSender], useFactory: (...senders: Array<ContactSender | null>) => senders.filter((s): s is ContactSender => s !== null) },
    {
      provide: SLACK_API,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.slack ? new WebClientSlackApi(config.slack.botToken, config.slack.apiUrl) : null),
    },
  ],
  exports: [SlackInteractions, OutboxWorker, DeliveryChannels, REPLY_ACKNOWLEDGER],
})
export class NotifyModule {}
