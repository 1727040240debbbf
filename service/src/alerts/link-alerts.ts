import { describeOpen, type LinkOpened } from '../domain/links.js';

/** How the owner is told of a link's first open of a day. */
export type Tell = (open: LinkOpened) => Promise<void>;

/**
 * Alerts under way, so the Lambda entry can give them a few milliseconds before the function
 * freezes (ADR 14). Telling never fails a visit: a failure is reported to `onFailed`.
 */
export class LinkAlerts {
  readonly #pending = new Set<Promise<void>>();

  constructor(
    private readonly tell: Tell,
    private readonly onFailed: (error: unknown) => void,
  ) {}

  /** Starts telling; never waits and never throws. */
  readonly send = (open: LinkOpened): void => {
    const telling = Promise.resolve()
      .then(() => this.tell(open))
      .catch(this.onFailed)
      .finally(() => this.#pending.delete(telling));
    this.#pending.add(telling);
  };

  /** Waits for the alerts under way, at most `ms`; those still going carry on. */
  async settle(ms: number): Promise<void> {
    if (this.#pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.#pending]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }
}

/** Tells by an SNS topic (an e-mail subscription), loading the SNS client on the first alert. */
export function snsTell(topicArn: string): Tell {
  let client: Promise<{ publish: (subject: string, message: string) => Promise<unknown> }>;
  const clientOf = async () => {
    const { SNSClient, PublishCommand } = await import('@aws-sdk/client-sns');
    const sns = new SNSClient({ maxAttempts: 2 });
    return {
      publish: (subject: string, message: string) =>
        sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message })),
    };
  };
  return async (open) => {
    client ??= clientOf();
    const sns = await client;
    // An e-mail subject is at most 100 characters, one line.
    const subject = `footfall: ${open.slug} was opened`.slice(0, 100);
    await sns.publish(subject, `${describeOpen(open)}\n\nnpm run admin -- link show ${open.slug}`);
  };
}
