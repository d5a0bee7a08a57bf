import { itemSize } from '../../../local/dynamodb/item-size';
import { censusOf, consumedUnits, type TableSchemas } from '../../../local/dynamodb/request-census';

const tables: TableSchemas = new Map([['t', { key: ['pk', 'sk'], indexKeys: ['gsi1pk', 'gsi1sk'] }]]);

describe('item size', () => {
  it('counts attribute names and values as DynamoDB does', () => {
    // "pk" 2 + "ORDER#1" 7, "n" 1 + 12345 (5 digits: ceil(5 / 2) + 1 = 4), "ok" 2 + true 1
    expect(itemSize({ pk: { S: 'ORDER#1' }, n: { N: '12345' }, ok: { BOOL: true } })).toBe(2 + 7 + 1 + 4 + 2 + 1);
  });

  it('counts lists and maps with their overhead', () => {
    expect(itemSize({ l: { L: [{ S: 'ab' }] } })).toBe(1 + 3 + 1 + 2);
    expect(itemSize({ m: { M: { k: { S: 'v' } } } })).toBe(1 + 3 + 1 + 1 + 1);
  });
});

describe('request census', () => {
  it('classifies single-item writes by their key prefixes', () => {
    const census = censusOf('PutItem', { TableName: 't', Item: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } } }, tables);
    expect(census.writes).toEqual([{ kind: 'ORDER/ORDER', transactional: false }]);
  });

  it('separates the condition checks of a transaction from its writes', () => {
    const census = censusOf(
      'TransactWriteItems',
      {
        TransactItems: [
          { Put: { TableName: 't', Item: { pk: { S: 'OUTBOX#e' }, sk: { S: 'OUTBOX' } } } },
          { ConditionCheck: { TableName: 't', Key: { pk: { S: 'ORDER#1' }, sk: { S: 'PAYMENT#p' } } } },
        ],
      },
      tables,
    );
    expect(census.writes).toEqual([{ kind: 'OUTBOX/OUTBOX', transactional: true }]);
    expect(census.conditionChecks).toEqual(['ORDER/PAYMENT']);
  });

  it('prices a transaction at 2 units per item and KB, index writes included', () => {
    const big = 'x'.repeat(1500);
    const census = censusOf(
      'TransactWriteItems',
      {
        TransactItems: [
          // 2 KB item with index keys: 2 x 2 for the table, 2 x 2 for the index
          {
            Put: {
              TableName: 't',
              Item: { pk: { S: 'A' }, sk: { S: 'B' }, gsi1pk: { S: 'G' }, gsi1sk: { S: 'H' }, big: { S: big } },
            },
          },
          // an update that removes the index keys: 2 for the table, 2 for the index
          {
            Update: {
              TableName: 't',
              Key: { pk: { S: 'C' }, sk: { S: 'D' } },
              UpdateExpression: 'SET #s = :s REMOVE gsi1pk, gsi1sk',
              ExpressionAttributeNames: { '#s': 'status' },
            },
          },
          { ConditionCheck: { TableName: 't', Key: { pk: { S: 'E' }, sk: { S: 'F' } } } },
        ],
      },
      tables,
    );
    expect(census.transactionUnits).toEqual({ units: 4 + 2 + 2 + 4 + 2, indexUnits: 6 });
  });

  it('counts the keys a batch read asks for', () => {
    const census = censusOf('BatchGetItem', { RequestItems: { t: { Keys: [{}, {}, {}] } } }, tables);
    expect(census.readItems).toBe(3);
  });

  it('sums consumed capacity of one table or several, indexes apart', () => {
    expect(consumedUnits({ CapacityUnits: 4, GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 2 } } })).toEqual({
      units: 4,
      indexUnits: 2,
    });
    expect(consumedUnits([{ CapacityUnits: 1 }, { CapacityUnits: 0.5 }])).toEqual({ units: 1.5, indexUnits: 0 });
    expect(consumedUnits(undefined)).toEqual({ units: 0, indexUnits: 0 });
  });
});
