import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface LinkAlertsProps {
  /**
   * Subscribed to the topic: AWS e-mails it a confirmation first, and nothing after until that
   * is confirmed. @default - no subscriber: the function's alerts go nowhere
   */
  readonly email?: string;
}

/**
 * The topic the API function tells the owner through when one of their application links is
 * opened (`GET /r/SLUG`). Its own topic, not the alarms': an e-mail's "unsubscribe" link leaves
 * the one topic, so muting link alerts never silences the alarms; the sender name says which
 * kind of e-mail it is; and the function may publish here without being able to fake an alarm.
 * It exists without a subscriber too, so adding an address later changes nothing but the
 * subscription.
 */
export class LinkAlerts extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: LinkAlertsProps = {}) {
    super(scope, id);
    // TLS-only publishing (cdk-nag's AwsSolutions-SNS3), like the alarm topic. No KMS key (the
    // AwsSolutions rules ask for none): the message leaves AWS as a plain e-mail anyway, a key of
    // our own costs $1 a month, more than the rest of a stage, and the deploy may not use KMS
    // (APP_SERVICES).
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'footfall links',
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }
}
