import { writeFileSync } from 'node:fs';
import type { Environments } from './plan.js';

// The alert e-mail (`alertEmail`): where the bootstrap records it, and what it says about it.

/**
 * Said at the end when alerts are e-mailed (`alertEmail`): each stage's one alert topic
 * subscribes the address, and AWS sends nothing to it until that subscription is confirmed from
 * the e-mail AWS sends after the first deploy. Alarms, the budget and link alerts all go through
 * it, so one "unsubscribe" stops them all.
 */
export function alertEmailNote(email: string, environments: Environments): string {
  const title = '"AWS Notification - Subscription Confirmation"';
  const sent = environments.staging
    ? `two e-mails titled ${title}, one per stage (${environments.staging}, ${environments.production})`
    : `an e-mail titled ${title}`;
  return (
    `Alarms, the budget and link alerts are e-mailed to ${email}. After the first deploy, AWS sends that address ${sent}. ` +
    'Click "Confirm subscription" in each, or nothing arrives; an "unsubscribe" link in any of them stops every alert of that stage.'
  );
}

/** Said at the end when nothing is e-mailed: how to have it. */
export const NO_ALERT_EMAIL_NOTE =
  'No alertEmail: npm run deploy refuses to deploy without one, and alarms, the budget and link alerts reach no one. Run npm run bootstrap again with --alert-email you@example.com (or set "alertEmail" in cdk.json\'s context), commit cdk.json and push.';

/**
 * cdk.json's text with `alertEmail` set in its context, in place of the old name `alarmEmail`
 * if that is there. Only that entry changes, so the file stays as it was formatted; an unusual
 * file is written out whole instead (JSON, two-space indented).
 */
export function cdkJsonWithAlertEmail(text: string, email: string): string {
  const entry = `"alertEmail": ${JSON.stringify(email)}`;
  const setting = (name: string) => new RegExp(`"${name}"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"`);
  const [alert, alarm] = [setting('alertEmail').test(text), setting('alarmEmail').test(text)];
  // Function replacers: an address may hold a `$`, which a replacement string would expand.
  let next: string | undefined;
  if (alert !== alarm) {
    next = text.replace(setting(alert ? 'alertEmail' : 'alarmEmail'), () => entry);
  } else if (!alert) {
    // First in the context, indented as the entry it goes before.
    next = text.replace(
      /("context"\s*:\s*\{)(\s*)(?=")/,
      (_, open: string, space: string) => `${open}${space}${entry},${space}`,
    );
  }
  try {
    const context = (JSON.parse(next ?? '') as { context?: Record<string, unknown> }).context;
    if (context?.alertEmail === email && !('alarmEmail' in context)) return next as string;
  } catch {
    // Not as expected: written out whole below.
  }
  const json = JSON.parse(text) as { context?: Record<string, unknown> };
  const { alarmEmail: _old, ...context } = json.context ?? {};
  return `${JSON.stringify({ ...json, context: { ...context, alertEmail: email } }, null, 2)}\n`;
}

/**
 * Records `email` in cdk.json's context, where the deploys read it, unless it is there already.
 * True when the file was written.
 */
export function recordAlertEmail(
  cdkJsonPath: string,
  cdkJson: string,
  context: Record<string, unknown>,
  email: string | undefined,
): boolean {
  const record =
    email !== undefined && (context.alertEmail !== email || context.alarmEmail !== undefined);
  if (record) {
    writeFileSync(cdkJsonPath, cdkJsonWithAlertEmail(cdkJson, email));
    console.log(`\n✓ cdk.json's context: "alertEmail": ${JSON.stringify(email)}`);
  }
  return record;
}
