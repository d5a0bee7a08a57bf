/**
 * How the local services reach each other by ARN: rule targets, failure destinations and dead letters,
 * Step Functions task integrations and HTTP API service integrations all name an SQS queue, a function, an
 * event bus or a state machine. The engines are attached after construction because they refer to one another
 * (Step Functions emits events, EventBridge starts executions, Lambda sends destination records).
 */
import type { ServiceIntegration } from './api/gateway';
import { arnService, functionNameFrom, lastSegment } from './arn';
import type { DynamoRawClient } from './dynamodb/raw-client';
import { DeliveryError, type EventBridgeEngine, type TargetDispatcher } from './eventbridge/engine';
import type { DestinationSender, LambdaHost } from './lambda/host';
import type { QueueStore } from './sqs/queue-store';
import type { StepFunctionsEngine } from './stepfunctions/engine';
import type { TaskServices } from './stepfunctions/tasks';

/** A payload that is not JSON (an InputTransformer can produce plain text) is sent as a JSON string. */
function asJson(payload: string): string {
  try {
    JSON.parse(payload);
    return payload;
  } catch {
    return JSON.stringify(payload);
  }
}

const str = (v: unknown) => (v === undefined ? undefined : String(v));

export class Wiring {
  lambdaHost: LambdaHost | undefined;
  eventBridge: EventBridgeEngine | undefined;
  stepFunctions: StepFunctionsEngine | undefined;

  constructor(private readonly queues: QueueStore) {}

  private get lambda(): LambdaHost {
    if (!this.lambdaHost) throw new Error('Lambda is not running');
    return this.lambdaHost;
  }

  private get events(): EventBridgeEngine {
    if (!this.eventBridge) throw new Error('EventBridge is not running');
    return this.eventBridge;
  }

  private get sfn(): StepFunctionsEngine {
    if (!this.stepFunctions) throw new Error('Step Functions is not running');
    return this.stepFunctions;
  }

  /** Destination records, function dead letters and rule dead letters: to a queue, a function or a bus. */
  readonly sendToDestination: DestinationSender = async (arn, body, attributes) => {
    const service = arnService(arn);
    if (service === 'sqs') {
      this.queues.send(this.queues.get(arn), {
        body,
        messageAttributes: Object.fromEntries(
          Object.entries(attributes ?? {}).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      });
    } else if (service === 'lambda') {
      this.lambda.invokeAsync(functionNameFrom(arn), body);
    } else if (service === 'events') {
      const record = JSON.parse(body) as { requestContext?: { condition?: string; functionArn?: string } };
      const success = record.requestContext?.condition === 'Success';
      this.events.publish(lastSegment(arn), {
        source: 'lambda',
        detailType: `Lambda Function Invocation Result - ${success ? 'Success' : 'Failure'}`,
        detail: record,
        resources: [record.requestContext?.functionArn ?? arn],
      });
    } else {
      throw new Error(`destination ${arn} is not emulated (SQS, Lambda and EventBridge are)`);
    }
  };

  /** Rule targets: a function (asynchronous invoke), a queue, a state machine or another bus. */
  readonly dispatch: TargetDispatcher = async (target, _rule, event, payload) => {
    const service = arnService(target.arn);
    if (service === 'lambda') {
      if (!this.lambda.find(target.arn)) {
        throw new DeliveryError('ResourceNotFoundException', `Function ${target.arn} does not exist`, false);
      }
      this.lambda.invokeAsync(target.arn, asJson(payload));
    } else if (service === 'sqs') {
      const queue = this.queues.find(target.arn);
      if (!queue) throw new DeliveryError('ResourceNotFoundException', `Queue ${target.arn} does not exist`, false);
      this.queues.send(queue, { body: payload, groupId: target.messageGroupId });
    } else if (service === 'states') {
      this.sfn.start(target.arn, undefined, asJson(payload));
    } else if (service === 'events') {
      this.events.publish(lastSegment(target.arn), {
        source: event.source,
        detailType: event['detail-type'],
        detail: event.detail,
        resources: event.resources,
      });
    } else {
      throw new DeliveryError('UnsupportedTarget', `Target ${target.arn} is not emulated locally`, false);
    }
  };

  /** What Step Functions Task states call. DynamoDB goes through the counting proxy, as the functions do. */
  taskServices(dynamodb: DynamoRawClient): TaskServices {
    return {
      invokeLambda: (name, payloadJson, context) =>
        this.lambda.invoke(name, payloadJson, {
          trigger: 'stepfunctions',
          stateMachineName: context.stateMachineName,
          stateName: context.stateName,
          executionName: context.executionName,
        }),
      putEvents: (entries) => this.events.putEvents(entries),
      sendMessage: (queueUrl, body, groupId) => {
        const m = this.queues.send(this.queues.get(queueUrl), { body, groupId });
        return { MessageId: m.messageId, MD5OfMessageBody: m.md5OfBody };
      },
      dynamodb: (operation, body) => dynamodb.call(`DynamoDB_20120810.${operation}`, body),
      startExecution: (arn, name, input) => {
        const { execution } = this.sfn.start(arn, name, input);
        return { executionArn: execution.executionArn, startDate: execution.startDate };
      },
    };
  }

  /** HTTP API routes integrated directly with a service (IntegrationSubtype). */
  readonly serviceIntegration: ServiceIntegration = async (subtype, p) => {
    switch (subtype) {
      case 'EventBridge-PutEvents':
        return this.events.putEvents([
          {
            Source: str(p.Source),
            DetailType: str(p.DetailType),
            Detail: str(p.Detail),
            EventBusName: str(p.EventBusName),
          },
        ]);
      case 'SQS-SendMessage': {
        const m = this.queues.send(this.queues.get(String(p.QueueUrl)), {
          body: String(p.MessageBody ?? ''),
          groupId: str(p.MessageGroupId),
        });
        return { MessageId: m.messageId, MD5OfMessageBody: m.md5OfBody };
      }
      case 'StepFunctions-StartExecution': {
        const { execution } = this.sfn.start(String(p.StateMachineArn), str(p.Name), str(p.Input));
        return { executionArn: execution.executionArn, startDate: execution.startDate / 1000 };
      }
      case 'StepFunctions-StartSyncExecution': {
        const e = await this.sfn.startSync(String(p.StateMachineArn), str(p.Name), str(p.Input));
        return { executionArn: e.executionArn, status: e.status, output: e.output, error: e.error, cause: e.cause };
      }
      default:
        throw new Error(`integration subtype ${subtype} is not emulated`);
    }
  };
}
