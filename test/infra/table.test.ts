/** The single table (stateful stack): derived from functions/shared/table/layout.ts, safe to keep in `prod`. */
import { Match } from 'aws-cdk-lib/assertions';
import { TABLE } from '../../functions/shared/table/layout';
import { resourcesOf } from './cfn';
import { synthStage } from './synth';

const dev = () => synthStage('dev');
const prod = () => synthStage('prod');

describe('single table', () => {
  test('has pk/sk string keys from the table layout', () => {
    dev().stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: TABLE.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE.sortKey, AttributeType: 'S' },
      ]),
    });
  });

  test('has exactly the GSI of the layout, projecting ALL', () => {
    const { gsi1 } = TABLE;
    dev().stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: gsi1.indexName,
          KeySchema: [
            { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: gsi1.partitionKey, AttributeType: 'S' },
        { AttributeName: gsi1.sortKey, AttributeType: 'S' },
      ]),
    });
  });

  test('is on-demand, with TTL, point-in-time recovery and a NEW_AND_OLD_IMAGES stream', () => {
    dev().stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      ProvisionedThroughput: Match.absent(),
    });
  });

  test('is the only table, in the stateful stack', () => {
    dev().stateful.resourceCountIs('AWS::DynamoDB::Table', 1);
    dev().stateless.resourceCountIs('AWS::DynamoDB::Table', 0);
  });
});

describe('removal and deletion protection by stage', () => {
  test('prod retains the table and the dead-letter queues, with deletion and termination protection', () => {
    const { stateful, stacks } = prod();
    stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
    });
    const queues = resourcesOf<unknown>(stateful, 'AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(0);
    for (const queue of queues) expect(queue.resource.DeletionPolicy).toBe('Retain');
    expect(stacks.stateful.terminationProtection).toBe(true);
  });

  test('other stages destroy the table and have no deletion protection', () => {
    const { stateful, stacks } = dev();
    stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    for (const queue of resourcesOf<unknown>(stateful, 'AWS::SQS::Queue')) {
      expect(queue.resource.DeletionPolicy).toBe('Delete');
    }
    expect(stacks.stateful.terminationProtection).toBe(false);
  });
});
