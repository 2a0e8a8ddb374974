import { ForbiddenException, Inject, Injectable, NotFoundException, Optional } from '@nestjs/common';
import { LOGGER, type Logger } from '../../common/logger';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import { REPLY_ACKNOWLEDGER, type ReplyAcknowledger, type ReplyOutcome } from '../contact/contact-sender';
import { parseAckCode } from './ack-code';
import { validTwilioSignature } from './twilio-signature';
import { messageResponse, NO_CODE_TEXT, NOT_ONE_TEXT, outcomeText, sayResponse } from './twilio-texts';

/** An inbound Twilio webhook as received: what its signature covers. */
export interface TwilioInbound {
  /** The path and query Twilio called (the public URL is the configured one). */
  pathAndQuery: string;
  signature: string | undefined;
  /** The form-encoded body, as sent. */
  body: string;
}

/**
 * Replies to pages, as Twilio delivers them: an SMS to Headroom's number ("ACK 4821") and the
 * keypress of a voice page. Each is verified as Twilio signs it (X-Twilio-Signature over the
 * public URL and the POST parameters) before anything happens; a missing or forged signature is
 * refused with 403. The answer is TwiML telling the person what happened.
 */
@Injectable()
export class TwilioWebhooks {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    // Provided by the contact-method orchestration; until it is, a reply is answered that acknowledging by reply is off.
    @Optional() @Inject(REPLY_ACKNOWLEDGER) private readonly acknowledger: ReplyAcknowledger | null,
  ) {}

  async sms(inbound: TwilioInbound): Promise<string> {
    const params = this.verified(inbound);
    const from = params.get('From') ?? '';
    const code = parseAckCode(params.get('Body') ?? '');
    this.logger.info({ from, messageSid: params.get('MessageSid'), code }, 'twilio: SMS reply');
    if (!code) return messageResponse(NO_CODE_TEXT);
    return messageResponse(outcomeText(await this.acknowledge({ kind: 'sms', from, code }), 'sms'));
  }

  async voice(inbound: TwilioInbound): Promise<string> {
    const params = this.verified(inbound);
    // On the outbound call of a page, Twilio's From is Headroom's number and To the person.
    const person = params.get('To') ?? '';
    const digits = params.get('Digits');
    const code = new URL(inbound.pathAndQuery, 'http://headroom').searchParams.get('code');
    this.logger.info({ to: person, callSid: params.get('CallSid'), digits, code }, 'twilio: keypress');
    if (digits === null || !code) return sayResponse('This number only places Headroom pages. Nothing was done. Goodbye.');
    if (digits !== '1') return sayResponse(NOT_ONE_TEXT);
    return sayResponse(outcomeText(await this.acknowledge({ kind: 'voice', from: person, code }), 'voice'));
  }

  private verified(inbound: TwilioInbound): URLSearchParams {
    const twilio = this.config.twilio;
    if (!twilio) throw new NotFoundException('Twilio is not configured here (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)');
    const params = new URLSearchParams(inbound.body);
    const url = `${this.config.publicUrl}${inbound.pathAndQuery}`;
    if (!validTwilioSignature(twilio.authToken, inbound.signature, url, params)) {
      this.logger.warn({ url, signed: inbound.signature !== undefined }, 'twilio: webhook refused: missing or forged X-Twilio-Signature');
      throw new ForbiddenException(
        `X-Twilio-Signature is missing or is not Twilio's for ${url}: the webhook URL set in Twilio's console must start with HEADROOM_PUBLIC_URL (${this.config.publicUrl})`,
      );
    }
    return params;
  }

  private async acknowledge(reply: { kind: 'sms' | 'voice'; from: string; code: string }): Promise<ReplyOutcome> {
    if (!this.acknowledger) return { acknowledged: false, reason: 'Acknowledging by reply is not available on this Headroom' };
    return this.acknowledger.acknowledgeByReply(reply);
  }
}
