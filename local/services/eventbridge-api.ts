/** The EventBridge slice of the service endpoint (`X-Amz-Target: AWSEvents.*`). */
import { type EventBridgeEngine, EventsValidationError, type PutEventsRequestEntry } from '../eventbridge/engine';
import { ServiceError } from './protocol';

export function eventBridgeApi(engine: EventBridgeEngine, arnOfBus: (name: string) => string) {
  return async (operation: string, body: Record<string, unknown>): Promise<unknown> => {
    switch (operation) {
      case 'PutEvents':
        try {
          return await engine.putEvents((body.Entries ?? []) as PutEventsRequestEntry[]);
        } catch (error) {
          if (error instanceof EventsValidationError) throw new ServiceError('ValidationException', error.message);
          throw error;
        }
      case 'ListEventBuses':
        return { EventBuses: engine.busNames.map((name) => ({ Name: name, Arn: arnOfBus(name) })) };
      case 'DescribeEventBus': {
        const name =
          String(body.Name ?? 'default')
            .split('/')
            .pop() ?? 'default';
        if (!engine.busNames.includes(name))
          throw new ServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
        return { Name: name, Arn: arnOfBus(name) };
      }
      case 'ListRules': {
        const bus = String(body.EventBusName ?? 'default')
          .split('/')
          .pop();
        return {
          Rules: engine.rules
            .filter((r) => r.busName === bus)
            .map((r) => ({
              Name: r.name,
              Arn: r.arn,
              EventBusName: r.busName,
              State: r.enabled ? 'ENABLED' : 'DISABLED',
              ...(r.pattern ? { EventPattern: JSON.stringify(r.pattern) } : {}),
              ...(r.schedule ? { ScheduleExpression: r.schedule } : {}),
            })),
        };
      }
      default:
        throw new ServiceError(
          'UnknownOperationException',
          `EventBridge ${operation} is not served by the local runtime`,
        );
    }
  };
}
