import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  /** Names the e-mails' sender, so staging's are told apart from production's. */
  readonly stage: string;
  /**
   * Subscribed to the topic: AWS e-mails it a confirmation first, and nothing after until that
   * is confirmed. The deploy pre-flight refuses a deploy without one; synth allows it (tests,
   * `cdk synth` with no settings). @default - no subscriber: every alert goes nowhere
   */
  readonly email?: string;
}

/**
 * A stage's one way to reach its owner: every alarm, the account's budget (production) and the
 * API function's "one of your application links was opened" publish here, and `alertEmail` is
 * subscribed (issue 23). One topic, so one confirmation a stage and one address to change; the
 * price is that an e-mail's "unsubscribe" link stops all of them (README, Alerts).
 *
 * No KMS key: the messages leave AWS as plain e-mails anyway, a key of our own costs $1 a month,
 * more than the rest of a stage, and CloudWatch and Budgets could only publish to it after a key
 * policy granting them; SNS's AWS-managed key cannot grant them at all. Publishing requires TLS.
 */
export class AlertTopic extends Construct {
  public readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    if (props.stage.trim() === '') throw new Error('AlertTopic: stage must not be empty');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `footfall ${props.stage}`,
      // TLS-only publishing (cdk-nag's AwsSolutions-SNS3).
      enforceSSL: true,
    });
    // CloudWatch publishes alarm state changes as its service principal, on behalf of this
    // account's alarms in this region only (confused-deputy conditions, as AWS documents them).
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /** Each alarm e-mails on going into ALARM. */
  notify(alarms: Iterable<cloudwatch.Alarm>): void {
    const action = new actions.SnsAction(this.topic);
    for (const alarm of alarms) alarm.addAlarmAction(action);
  }

  /**
   * Lets AWS Budgets publish this account's budget notifications here (budgets are global, so
   * the ARN has no region), and makes `dependent` wait for that permission: Budgets checks it
   * when the notification is created.
   */
  allowBudgets(dependent: Construct): void {
    const stack = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'Budgets',
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:budgets::${stack.account}:*` },
        },
      }),
    );
    dependent.node.addDependency(this.topic);
  }
}
