/** Outbox topics the notify stage delivers for escalation steps and reminders. */
export const ESCALATION_DM_TOPIC = 'escalation.dm';
export const ESCALATION_CHANNEL_TOPIC = 'escalation.channel';
