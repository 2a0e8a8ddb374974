import { Module } from '@nestjs/common';
import { ChangesModule } from '../changes/changes.module';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { IncidentsModule } from '../incidents/incidents.module';
import { OncallModule } from '../oncall/oncall.module';
import { SloModule } from '../slo/slo.module';
import { AckLinkController } from './ack-link/ack-link.controller';
import { AckLinks } from './ack-link/ack-links.service';
import { ACK_LINK_SIGNER } from './contact/contact-sender';
import { contactSendersProvider } from './contact-senders';
import { DeliveryChannels } from './delivery-channels';
import { emailSenderProvider } from './email/email-sender';
import { IncidentNotifier } from './incident-notifier';
import { OutboxWorker } from './outbox-worker';
import { WebClientSlackApi } from './slack/slack-api';
import { SLACK_API } from './slack/slack.constants';
import { SlackCommands } from './slack/slack-commands';
import { SlackInteractions } from './slack/slack-interactions';
import { SlackReplayGuard } from './slack/slack-replay-guard';
import { twilioSendersProvider } from './twilio/twilio-senders';
import { TwilioWebhooksController } from './twilio/twilio-webhooks.controller';
import { TwilioWebhooks } from './twilio/twilio-webhooks.service';
import { ContactDelivery } from './contact/contact-delivery';
import { REPLY_ACKNOWLEDGER } from './contact/contact-sender';
import { ContactReplies } from './contact/reply-acknowledger';
import { SlackFallback } from './contact/slack-fallback';
import { PushSender } from './push/push-sender';

@Module({
  imports: [IncidentsModule, OncallModule, SloModule, ChangesModule],
  controllers: [AckLinkController, TwilioWebhooksController],
  providers: [
    twilioSendersProvider,
    TwilioWebhooks,
    IncidentNotifier,
    AckLinks,
    { provide: ACK_LINK_SIGNER, useExisting: AckLinks },
    OutboxWorker,
    DeliveryChannels,
    SlackCommands,
    SlackInteractions,
    SlackReplayGuard,
    emailSenderProvider,
    contactSendersProvider,
    ContactDelivery,
    ContactReplies,
    SlackFallback,
    { provide: REPLY_ACKNOWLEDGER, useExisting: ContactReplies },
    { provide: PushSender, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new PushSender(config.push) },
    {
      provide: SLACK_API,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => (config.slack ? new WebClientSlackApi(config.slack.botToken, config.slack.apiUrl) : null),
    },
  ],
  exports: [SlackInteractions, OutboxWorker, DeliveryChannels, REPLY_ACKNOWLEDGER],
})
export class NotifyModule {}
