import * as z from 'zod';
import { parseOrThrow } from '../../../shared/validation';

/**
 * Configuration of the local Slack workspace: the app's credentials, where interaction
 * callbacks go, and the people and channels in it. Every field has a demo default so that
 * `npm start` works out of the box; nothing here is a real Slack credential.
 */

const slackId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[A-Z0-9]{2,20}$`), `expected a ${prefix}... id`);

const userSchema = z.object({
  id: slackId('[UW]'),
  name: z.string().min(1).max(80),
  real_name: z.string().min(1).max(160),
  email: z.email(),
  is_admin: z.boolean().default(false),
  title: z.string().max(160).default(''),
});

const channelSchema = z.object({
  id: slackId('[CG]'),
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'expected a lower-case channel name'),
});

export const slackConfigSchema = z.object({
  team: z.object({ id: slackId('T'), name: z.string().min(1), domain: z.string().regex(/^[a-z0-9-]+$/) }),
  appId: slackId('A'),
  botUserId: slackId('U'),
  botId: slackId('B'),
  botName: z.string().min(1),
  /** The bot token the Web API accepts (`Authorization: Bearer xoxb-...`). */
  botToken: z.string().startsWith('xoxb-', 'a bot token starts with xoxb-'),
  /** Signs interaction callbacks (`X-Slack-Signature`). */
  signingSecret: z.string().min(8),
  /** The legacy verification token Slack still puts in payloads as `token`. */
  verificationToken: z.string().min(1),
  /** Where button presses are POSTed: the app's Interactivity Request URL. */
  callbackUrl: z.url().optional(),
  users: z.array(userSchema).min(1),
  channels: z.array(channelSchema).min(1),
});

export type SlackConfig = z.infer<typeof slackConfigSchema>;
export type SlackUserConfig = SlackConfig['users'][number];
export type SlackChannelConfig = SlackConfig['channels'][number];

/** The demo workspace: a platform lead who approves, a developer, and an on-call engineer. */
export const DEFAULT_SLACK_CONFIG: SlackConfig = {
  team: { id: 'T0LOCAL001', name: 'Acme Platform (local)', domain: 'acme-local' },
  appId: 'A0MESHWARDEN',
  botUserId: 'U0MESHBOT1',
  botId: 'B0MESHBOT1',
  botName: 'meshwarden',
  botToken: 'xoxb-local-meshwarden-bot-token',
  signingSecret: 'local-slack-signing-secret',
  verificationToken: 'local-verification-token',
  users: [
    {
      id: 'U0PLATFORM1',
      name: 'priya',
      real_name: 'Priya Raman',
      email: 'priya@acme.example',
      is_admin: true,
      title: 'Platform lead',
    },
    {
      id: 'U0DEV00001',
      name: 'alice',
      real_name: 'Alice Martin',
      email: 'alice@acme.example',
      is_admin: false,
      title: 'Developer',
    },
    {
      id: 'U0ONCALL01',
      name: 'omar',
      real_name: 'Omar Haddad',
      email: 'omar@acme.example',
      is_admin: false,
      title: 'On-call engineer',
    },
  ],
  channels: [
    { id: 'C0APPROVALS', name: 'mesh-approvals' },
    { id: 'C0MESHOPS01', name: 'mesh-ops' },
  ],
};

/** Validate a configuration (e.g. from a file), filling in demo defaults for what it omits. */
export function parseSlackConfig(input: unknown): SlackConfig {
  const overrides = parseOrThrow(slackConfigSchema.partial(), input, 'local Slack configuration');
  return parseOrThrow(
    slackConfigSchema,
    { ...DEFAULT_SLACK_CONFIG, ...overrides },
    'local Slack configuration',
  );
}
