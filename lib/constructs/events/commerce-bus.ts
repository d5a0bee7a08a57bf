/** The custom event bus and its archive (every platform event, kept for replay). */
import { Duration } from 'aws-cdk-lib';
import { Archive, EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { SOURCES } from '../../../functions/shared/events/catalog';

export interface CommerceBusProps {
  readonly busName: string;
  /** @default 30 days */
  readonly archiveRetention?: Duration;
}

export class CommerceBus extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: CommerceBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName });
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      description: 'Every platform event, for replay',
      eventPattern: { source: Object.values(SOURCES) },
      retention: props.archiveRetention ?? Duration.days(30),
    });
  }
}
