/** Injection token for the SlackApi implementation. */
export const SLACK_API = Symbol('SLACK_API');
/** Slack message metadata event type on every page Headroom posts. */
export const PAGE_EVENT_TYPE = 'headroom_page';
/** Slack message metadata event type on every thread reply (an incident update) Headroom posts. */
export const REPLY_EVENT_TYPE = 'headroom_update';
/** Slack message metadata event type on every ticket Headroom posts to a route's ticket channel. */
export const TICKET_EVENT_TYPE = 'headroom_ticket';
