/**
 * The cdk-nag (AwsSolutions) findings this platform accepts on purpose, each with the reason a reviewer can check.
 *
 * cdk-nag 3 reads CDK's own acknowledgements (`Validations.of(construct).acknowledge`), so lib code needs no cdk-nag
 * import. Every acknowledgement is made by the construct that causes the finding, on that construct (never on a
 * stack), and test/infra/nag.test.ts fails on any finding that is not acknowledged here.
 */
import { Arn, ArnFormat, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

/** The AWS-managed policy every Lambda service role gets (CloudWatch Logs only). */
const LAMBDA_BASIC_EXECUTION = 'Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';

/** Findings every house function (AppFunction) carries. */
export function acknowledgeFunctionDefaults(fn: IConstruct): void {
  Validations.of(fn).acknowledge(
    {
      id: `AwsSolutions-IAM4[${LAMBDA_BASIC_EXECUTION}]`,
      reason:
        'AWSLambdaBasicExecutionRole is the AWS-maintained policy that only lets the function write its own CloudWatch logs (logs:CreateLogGroup/CreateLogStream/PutLogEvents); every data permission is granted separately through grants.',
    },
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only for actions without resource-level permissions: xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) and, on the outbox relay, dynamodb:ListStreams (added by the stream event source).',
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        'The runtime is pinned to nodejs22.x on purpose (esbuild targets node22; code must also run on the Node 20 development machines); moving to a newer runtime is a deliberate, tested change, not an automatic one.',
    },
  );
}

/** IAM5 for `<table ARN>/index/*`, which CDK's table grants add because the table has global secondary indexes. */
export function acknowledgeTableIndexGrant(fn: IConstruct, table: ITable): void {
  acknowledgeResourceWildcard(
    fn,
    `${table.tableArn}/index/*`,
    "Added by CDK's table grant for the single table's global secondary indexes (the function queries gsi1); the wildcard covers this table's indexes only, with the same actions as on the table.",
  );
}

/** A function given `stateMachine.grantRead` (the reconciler): CDK grants its execution reads by wildcard. */
export function acknowledgeExecutionRead(fn: IConstruct, stateMachine: IStateMachine): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      "CDK's StateMachine.grantRead adds the read-only states:ListActivities, states:DescribeActivity and states:DescribeStateMachine on * (besides X-Ray's PutTraceSegments/PutTelemetryRecords, which have no resource-level permissions).",
  });
  const executions = Stack.of(stateMachine).formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  acknowledgeResourceWildcard(
    fn,
    `${executions}:*`,
    "Added by CDK's StateMachine.grantRead: read-only access (DescribeExecution, GetExecutionHistory) to the executions of the checkout state machine only; execution names are order ids, unknown in advance.",
  );
}

/** Each dead-letter queue: it is the end of a retry chain, not a consumer that needs its own DLQ. */
export function acknowledgeDeadLetterQueue(queue: IConstruct): void {
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue IS a dead-letter queue (the target of EventBridge rule DLQs, Lambda on-failure destinations or the stream mapping); a DLQ of a DLQ would only move the problem. Its depth is alarmed and its messages are redriven by hand.',
  });
}

/** The HTTP API has no authorizer yet. */
export function acknowledgePublicApi(api: IConstruct): void {
  Validations.of(api).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason:
      'Deliberately unauthenticated for now: the API contract (issue 2) has no authentication and identifies the customer by a request field. Stage throttling limits abuse; add a JWT or IAM authorizer before real customers use it.',
  });
}

/** The checkout state machine's role: log delivery, X-Ray and the versions of the step functions it invokes. */
export function acknowledgeStateMachineRole(stateMachine: IConstruct, steps: readonly IFunction[]): void {
  Validations.of(stateMachine).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only for actions without resource-level permissions, added by CDK for logging level ALL and tracing: logs:CreateLogDelivery and the other log-delivery actions, and xray:PutTraceSegments/PutTelemetryRecords/GetSampling*.',
  });
  for (const step of steps) {
    acknowledgeResourceWildcard(
      stateMachine,
      `${step.functionArn}:*`,
      "Added by CDK's LambdaInvoke grant: the versions and aliases of this one step function (FUNCTION_ARN:*), so a qualified invoke works.",
    );
  }
}

/**
 * Acknowledges the IAM5 finding for one wildcard resource. cdk-nag names such a finding after the resource as it is
 * written in the template, and a reference to another stack only takes its final form once the app is prepared (after
 * aspects, before validation). A construct validation runs in exactly that window, so it records the acknowledgement.
 */
function acknowledgeResourceWildcard(scope: IConstruct, resource: string, reason: string): void {
  let acknowledged = false;
  scope.node.addValidation({
    validate: () => {
      if (!acknowledged) {
        const name = nagResourceName(Stack.of(scope).resolve(resource));
        Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${name}]`, reason });
        acknowledged = true;
      }
      return [];
    },
  });
}

/** A template value written the way cdk-nag names it in a finding id (`<Logical.Attr>`, `<Ref>`, joins flattened). */
function nagResourceName(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (typeof value === 'object' && value !== null) {
    const node = value as Record<string, unknown>;
    const join = node['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(nagResourceName).join(join[0]);
    }
    if (node['Fn::Sub'] !== undefined) return nagResourceName(node['Fn::Sub']);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${nagResourceName(getAtt[0])}.${nagResourceName(getAtt[1])}>`;
    if (node['Fn::ImportValue'] !== undefined) return nagResourceName(node['Fn::ImportValue']);
    if (node.Ref !== undefined) return `<${nagResourceName(node.Ref)}>`;
  }
  return JSON.stringify(value);
}
