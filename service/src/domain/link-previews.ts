/**
 * Link-preview fetchers: the robots an app sends to a link the moment someone pastes it into a
 * post, a chat or an e-mail, to draw its card or check it is safe. Each fetch means the link was
 * shared, not that a person opened it, so an application link counts them apart (`previews`).
 *
 * Crawlers that index the web (Googlebot, bingbot, GPTBot…) are not previews, and neither are
 * the apps' own in-app browsers (LinkedInApp, FBAN, Slack/, Teams/), which carry a person.
 */

/** How much of a User-Agent is looked at, in characters: every fetcher names itself early. */
export const MAX_USER_AGENT_SCAN = 512;

/** What identifies a fetcher: a lower-case token found anywhere, or only at the start. */
type Token = { readonly anywhere: string } | { readonly prefix: string };

type LinkPreviewFetcher = {
  /** The short, stable name a link's previews are counted under. */
  readonly name: string;
  readonly tokens: readonly Token[];
};

/**
 * The fetchers, first match wins: a fetcher whose User-Agent imitates another's comes before it
 * (Telegram's and Apple Messages' both name Twitterbot). Tokens are lower-case.
 */
const LINK_PREVIEW_FETCHERS: readonly LinkPreviewFetcher[] = [
  // `TelegramBot (like TwitterBot)`, sent from Telegram's servers for every link in a message:
  // prerender/prerender-cloudflare-worker#3 and wireapp/wire-ios-link-preview#59 quote it;
  // Telegram documents link previews but not the User-Agent.
  { name: 'telegram', tokens: [{ anywhere: 'telegrambot' }] },
  // Apple Messages (iMessage) builds its rich links on the sender's device with a Safari
  // User-Agent ending `facebookexternalhit/1.1 Facebot Twitterbot/1.0`; Apple does not document
  // it: seen and described at peter.upfold.org.uk/blog/2019/02 and in
  // wireapp/wire-ios-link-preview#59.
  { name: 'imessage', tokens: [{ anywhere: 'facebookexternalhit/1.1 facebot twitterbot/1.0' }] },
  // `LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)`:
  // LinkedIn's preview fetcher, whose verdict its Post Inspector (linkedin.com/post-inspector)
  // shows; the strings as sites log them: prerenderproxy.com/bot-directory/linkedinbot. The
  // LinkedIn app's own browser says `LinkedInApp`, which is a person.
  { name: 'linkedin', tokens: [{ anywhere: 'linkedinbot' }] },
  // `Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)`: Slack's unfurler, documented
  // at api.slack.com/robots (Slackbot 1.0 and Slack-ImgProxy, also there, fetch other things).
  { name: 'slack', tokens: [{ anywhere: 'slackbot-linkexpanding' }] },
  // `Twitterbot/1.0`: X's card crawler, documented under "URL Crawling & Caching" in X's
  // "Getting started with Cards" (developer.x.com/cards/overview).
  { name: 'x', tokens: [{ anywhere: 'twitterbot' }] },
  // `facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)`: fetches links
  // shared on Facebook, Instagram and Messenger, documented at
  // developers.facebook.com/docs/sharing/webmasters/web-crawlers. Facebot alone is not
  // counted: that page no longer lists it, nor the catalogue and AI crawlers it does list
  // (facebookcatalog, meta-externalagent, meta-externalfetcher) as drawing shared links.
  { name: 'facebook', tokens: [{ anywhere: 'facebookexternalhit' }] },
  // `WhatsApp/2.23.20.0 A` (A Android, i iOS, W web): the app fetches a link's preview as it is
  // typed (opengraphplus.com/consumers/whatsapp/crawling; not documented by WhatsApp). Matched
  // only at the start, so that no in-app browser mentioning WhatsApp is taken for it.
  { name: 'whatsapp', tokens: [{ prefix: 'whatsapp/' }] },
  // `Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)`: Discord's embed
  // fetcher (WhichBrowser/Parser-PHP#499). The Discord app says `discord/`, and bots written
  // against Discord's API say `DiscordBot (url, version)`: neither has the slash.
  { name: 'discord', tokens: [{ anywhere: 'discordbot/' }] },
  // `SkypeUriPreview Preview/0.5`: the Skype-era fetcher Microsoft Teams still draws its link
  // cards with (opengraphplus.com/consumers/teams/crawling). Skype itself closed in May 2025,
  // so these are Teams. The Teams app says `Teams/`, which is a person.
  { name: 'teams', tokens: [{ anywhere: 'skypeuripreview' }] },
  // `Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; MicrosoftPreview/2.0;
  // +https://aka.ms/MicrosoftPreview) Chrome/W.X.Y.Z Safari/537.36`: page snapshots and link
  // previews for Microsoft's products (Teams, Outlook, Copilot), as
  // datadome.co/bots/microsoft-preview describes it. BingPreview, which it replaced, drew
  // snapshots of Bing's search results (Bing webmaster blog, 2012, "Page snapshots in Bing
  // Windows 8 app"): a crawler, not counted.
  { name: 'microsoft', tokens: [{ anywhere: 'microsoftpreview/' }] },
  // Outlook for Windows fetching a link or its images itself:
  // `Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.6326; Pro)` and
  // `Mozilla/4.0 (compatible; MSIE 7.0; …; Microsoft Outlook 16.0.5257; ms-office; MSOffice 16)`
  // (ua-parser/uap-core#132, shon/httpagentparser#91). A click opens the default browser.
  { name: 'outlook', tokens: [{ anywhere: 'microsoft outlook' }] },
  // Word, Excel and PowerPoint fetch a clicked link themselves, following its redirects, and
  // hand the browser where they ended (Microsoft KB 899927, "Hlink.dll"): `Microsoft Office
  // Existence Discovery`, `Microsoft Office Protocol Discovery`, or an embedded IE saying
  // `ms-office`. The person arrives next, in the browser, at the redirect's target.
  { name: 'office', tokens: [{ anywhere: 'microsoft office' }, { anywhere: 'ms-office' }] },
  // `Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Bluesky Cardyb/1.1;
  // +mailto:support@bsky.app) Chrome/W.X.Y.Z Safari/537.36`: Bluesky's link-card service, as
  // its developers gave it in bluesky-social/social-app#6538.
  { name: 'bluesky', tokens: [{ anywhere: 'bluesky cardyb' }] },
  // `http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)`: each Mastodon server fetches
  // the card of a link its users see (mastodon/mastodon lib/mastodon/version.rb, `user_agent`).
  { name: 'mastodon', tokens: [{ anywhere: '(mastodon/' }] },
  // Mail gateways that follow the links in a message before it is read. Barracuda's
  // `Barracuda Sentinel (EE)` is reported in JayBizzle/Crawler-Detect#552 (Barracuda does not
  // document it). Mimecast URL Protect, Proofpoint URL Defense and Microsoft Safe Links document
  // no User-Agent of their own, and the scanners seen in logs send a browser's
  // (resend/resend-node#901), so they cannot be told apart here.
  { name: 'mail-scanner', tokens: [{ anywhere: 'barracuda sentinel' }] },
];

/**
 * The name of the link-preview fetcher a User-Agent belongs to (`linkedin`, `slack`, `teams`,
 * `x`, `facebook`, `whatsapp`…), or `undefined` for anything else: people's browsers and apps,
 * search and AI crawlers, tools. Case does not matter. Only the first `MAX_USER_AGENT_SCAN`
 * characters are read, and searched for a fixed list of plain tokens (no regular expression),
 * so the cost is bounded whatever is sent.
 */
export function linkPreviewOf(userAgent: string | undefined): string | undefined {
  if (userAgent === undefined) return undefined;
  const head = userAgent.slice(0, MAX_USER_AGENT_SCAN).toLowerCase();
  for (const fetcher of LINK_PREVIEW_FETCHERS) {
    for (const token of fetcher.tokens) {
      const found =
        'prefix' in token ? head.startsWith(token.prefix) : head.includes(token.anywhere);
      if (found) return fetcher.name;
    }
  }
  return undefined;
}

/** Every name `linkPreviewOf` can return, in the order it looks for them. */
export const LINK_PREVIEW_NAMES: readonly string[] = LINK_PREVIEW_FETCHERS.map(({ name }) => name);
