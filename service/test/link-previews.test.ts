import { describe, expect, test } from 'vitest';
import { BOT_USER_AGENTS, BROWSER_USER_AGENTS } from '../../test/support/user-agents.js';
import {
  LINK_PREVIEW_NAMES,
  linkPreviewOf,
  MAX_USER_AGENT_SCAN,
} from '../src/domain/link-previews.js';

/** Each fetcher's User-Agents, as its vendor documents them or as they are seen in logs. */
const PREVIEWS: readonly (readonly [name: string, userAgent: string])[] = [
  [
    'linkedin',
    'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)',
  ],
  [
    'linkedin',
    'LinkedInBot/1.0 (compatible; Mozilla/5.0; Jakarta Commons-HttpClient/3.1 +http://www.linkedin.com)',
  ],
  ['slack', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
  ['x', 'Twitterbot/1.0'],
  ['x', 'Mozilla/5.0 (compatible; Twitterbot/1.0)'],
  ['facebook', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'],
  ['facebook', 'facebookexternalhit/1.1'],
  ['whatsapp', 'WhatsApp/2.23.20.0 A'],
  ['whatsapp', 'WhatsApp/2.2329.7 i'],
  ['whatsapp', 'WhatsApp/2.21.12.21 W'],
  ['discord', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)'],
  ['telegram', 'TelegramBot (like TwitterBot)'],
  [
    'telegram',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/77.0.3865.90 Safari/537.36 TelegramBot (like TwitterBot)',
  ],
  ['teams', 'SkypeUriPreview Preview/0.5'],
  [
    'teams',
    'Mozilla/5.0 (Windows NT 6.1; WOW64) SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com',
  ],
  [
    'microsoft',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; MicrosoftPreview/2.0; +https://aka.ms/MicrosoftPreview) Chrome/131.0.6778.86 Safari/537.36',
  ],
  [
    'microsoft',
    'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Mobile Safari/537.36 (compatible; MicrosoftPreview/2.0; +https://aka.ms/MicrosoftPreview)',
  ],
  ['outlook', 'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.6326; Pro)'],
  ['outlook', 'Microsoft Office/16.0 (Microsoft Outlook 16.0.8241; Pro)'],
  [
    'outlook',
    'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 10.0; WOW64; Trident/7.0; .NET4.0C; .NET4.0E; .NET CLR 2.0.50727; .NET CLR 3.0.30729; .NET CLR 3.5.30729; Microsoft Outlook 16.0.5257; ms-office; MSOffice 16)',
  ],
  ['office', 'Microsoft Office Existence Discovery'],
  ['office', 'Microsoft Office Protocol Discovery'],
  ['office', 'Mozilla/4.0 (compatible; ms-office; MSOffice 16)'],
  [
    'office',
    'Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.1; WOW64; Trident/7.0; .NET4.0C; .NET4.0E; InfoPath.3; ms-office)',
  ],
  [
    'imessage',
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0',
  ],
  [
    'bluesky',
    'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app) Chrome/W.X.Y.Z Safari/537.36',
  ],
  ['mastodon', 'http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)'],
  ['mastodon', 'http.rb/5.2.0 (Mastodon/4.3.2; +https://fosstodon.org/)'],
  ['mail-scanner', 'Barracuda Sentinel (EE)'],
];

/** People, in the apps that link previews come from: their in-app browsers and desktop apps. */
const IN_APP_BROWSERS = [
  // LinkedIn, Facebook and Instagram on iOS.
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.29.8019',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.35.108;FBBV/631562473;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 337.0.3.23.54 (iPhone15,2; iOS 17_5; en_US; en; scale=3.00; 1179x2556; 615183165)',
  // Facebook on Android.
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.119 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/455.0.0.44.88;]',
  // Telegram's in-app browser on Android.
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/122.0.6261.119 Mobile Safari/537.36 Telegram-Android/10.9.1 (Google Pixel 8; Android 14; SDK 34; HIGH)',
  // The Google app (Gmail opens links in it on iOS).
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/318.0.636488375 Mobile/15E148 Safari/604.1',
  // Slack, Discord and Teams desktop apps (Electron).
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/130.0.6723.191 Electron/33.2.1 Safari/537.36 Sonic Slack_SSB/4.41.105',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) discord/1.0.9163 Chrome/124.0.6367.243 Electron/30.2.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Teams/1.7.00.13456 Chrome/85.0.4183.121 Electron/10.4.7 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Skype/8.110.0.211 Chrome/112.0.5615.204 Electron/24.8.3 Safari/537.36',
] as const;

/** Robots of the same companies that are not link previews. */
const NOT_PREVIEWS = [
  // Slack fetches other things with these (api.slack.com/robots).
  'Slackbot 1.0 (+https://api.slack.com/robots)',
  'Slack-ImgProxy (+https://api.slack.com/robots)',
  // Meta's crawlers for catalogues, AI and ads, not for shared links.
  'facebookcatalog/1.0',
  'meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)',
  'meta-externalfetcher/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)',
  'Facebot',
  // Bing's search snapshots, and its crawler.
  'Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/534+ (KHTML, like Gecko) BingPreview/1.0b',
  'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/131.0.6778.204 Safari/537.36',
  // A program calling Discord's API, which never fetches a shared link.
  'DiscordBot (https://github.com/Rapptz/discord.py 1.2.3) Python/3.6 aiohttp/3.5.4',
  // Google's crawler and its other fetchers.
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
] as const;

describe('linkPreviewOf', () => {
  test.each(PREVIEWS)('%s: %s', (name, userAgent) => {
    expect(linkPreviewOf(userAgent)).toBe(name);
  });

  test('every fetcher in the list has a User-Agent above', () => {
    expect(new Set(PREVIEWS.map(([name]) => name))).toEqual(new Set(LINK_PREVIEW_NAMES));
  });

  test('names are short and stable: lower-case words', () => {
    for (const name of LINK_PREVIEW_NAMES) expect(name).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
    expect(new Set(LINK_PREVIEW_NAMES).size).toBe(LINK_PREVIEW_NAMES.length);
  });

  test('a fetcher that imitates another is itself', () => {
    // Telegram says it is like Twitterbot; Apple Messages names facebookexternalhit and
    // Twitterbot; Outlook's embedded IE says ms-office.
    expect(linkPreviewOf('TelegramBot (like TwitterBot)')).toBe('telegram');
    expect(linkPreviewOf('Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0')).toBe(
      'imessage',
    );
    expect(linkPreviewOf('Mozilla/4.0 (compatible; Microsoft Outlook 16.0.5257; ms-office)')).toBe(
      'outlook',
    );
  });

  test('case does not matter', () => {
    expect(linkPreviewOf('LINKEDINBOT/1.0')).toBe('linkedin');
    expect(linkPreviewOf('linkedinbot/1.0')).toBe('linkedin');
    expect(linkPreviewOf('slackbot-linkexpanding 1.0')).toBe('slack');
    expect(linkPreviewOf('TWITTERBOT/1.0')).toBe('x');
    expect(linkPreviewOf('FacebookExternalHit/1.1')).toBe('facebook');
    expect(linkPreviewOf('whatsapp/2.23.20.0 A')).toBe('whatsapp');
    expect(linkPreviewOf('Mozilla/5.0 (compatible; DISCORDBOT/2.0)')).toBe('discord');
    expect(linkPreviewOf('skypeuripreview Preview/0.5')).toBe('teams');
    expect(linkPreviewOf('MICROSOFT OFFICE EXISTENCE DISCOVERY')).toBe('office');
  });

  test('WhatsApp is recognised only at the start of the User-Agent', () => {
    expect(linkPreviewOf('WhatsApp/2.23.20.0 A')).toBe('whatsapp');
    // A browser mentioning WhatsApp further on is not its fetcher.
    expect(
      linkPreviewOf(
        'Mozilla/5.0 (Linux; Android 14) Chrome/131.0.0.0 Mobile Safari/537.36 WhatsApp/2.24',
      ),
    ).toBeUndefined();
    expect(linkPreviewOf('WhatsApp')).toBeUndefined();
  });

  test.each(BROWSER_USER_AGENTS)('a browser is not a preview: %s', (userAgent) => {
    expect(linkPreviewOf(userAgent)).toBeUndefined();
  });

  test.each(IN_APP_BROWSERS)('an in-app browser is a person: %s', (userAgent) => {
    expect(linkPreviewOf(userAgent)).toBeUndefined();
  });

  test.each(NOT_PREVIEWS)('a crawler or other robot is not a preview: %s', (userAgent) => {
    expect(linkPreviewOf(userAgent)).toBeUndefined();
  });

  test('among the shared bot User-Agents, only the link-preview fetchers are previews', () => {
    const previews = BOT_USER_AGENTS.flatMap((userAgent) => {
      const name = linkPreviewOf(userAgent);
      return name === undefined ? [] : [name];
    });
    expect(previews.sort()).toEqual(
      ['discord', 'facebook', 'linkedin', 'slack', 'telegram', 'whatsapp', 'x'].sort(),
    );
  });

  test('no User-Agent, or an empty one, is no preview', () => {
    expect(linkPreviewOf(undefined)).toBeUndefined();
    expect(linkPreviewOf('')).toBeUndefined();
    expect(linkPreviewOf('   ')).toBeUndefined();
  });

  test(`only the first ${MAX_USER_AGENT_SCAN} characters are read`, () => {
    // Exactly the token looked for, so that cutting its last character hides it.
    const token = 'LinkedInBot';
    const pad = (n: number) => 'x'.repeat(n);
    // Ending exactly at the limit: found.
    expect(linkPreviewOf(pad(MAX_USER_AGENT_SCAN - token.length) + token)).toBe('linkedin');
    // One character later, cut by the limit: not found.
    expect(linkPreviewOf(pad(MAX_USER_AGENT_SCAN - token.length + 1) + token)).toBeUndefined();
    expect(linkPreviewOf(pad(10_000) + token)).toBeUndefined();
    // A fetcher followed by a huge tail is still found.
    expect(linkPreviewOf(token + pad(10_000_000))).toBe('linkedin');
  });

  test('the cost is bounded: a huge hostile User-Agent is answered at once', () => {
    // Near misses of every token, repeated: what would make a backtracking pattern slow.
    const hostile = 'linkedinbo slackbot-linkexpandin twitterbo facebookexternalhi '.repeat(
      200_000,
    );
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(linkPreviewOf(hostile)).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});
