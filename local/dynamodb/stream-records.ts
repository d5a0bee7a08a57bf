/**
 * DynamoDB stream records as Lambda receives them. DynamoDB Local's records differ from AWS in three ways,
 * normalised here: `awsRegion` is "ddblocal", TTL deletions say `eventName: "UNKNOWN_TO_SDK_VERSION"`, and
 * they lack the `userIdentity` AWS puts on deletions made by the TTL service.
 */

export type AttributeMap = Record<string, unknown>;

export interface RawStreamRecord {
  eventID?: string;
  eventName?: string;
  eventVersion?: string;
  eventSource?: string;
  awsRegion?: string;
  dynamodb?: {
    ApproximateCreationDateTime?: number;
    Keys?: AttributeMap;
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber?: string;
    SizeBytes?: number;
    StreamViewType?: string;
  };
  userIdentity?: { type: string; principalId: string };
}

export interface LambdaStreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: string;
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: AttributeMap;
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: string;
  };
  eventSourceARN: string;
  userIdentity?: { type: string; principalId: string };
}

const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

export function toLambdaRecord(raw: RawStreamRecord, region: string, eventSourceArn: string): LambdaStreamRecord {
  const d = raw.dynamodb ?? {};
  let eventName: LambdaStreamRecord['eventName'];
  let userIdentity = raw.userIdentity;
  if (raw.eventName === 'INSERT' || raw.eventName === 'MODIFY' || raw.eventName === 'REMOVE') eventName = raw.eventName;
  else {
    // DynamoDB Local's TTL deletions: a removal made by the TTL service.
    eventName = 'REMOVE';
    userIdentity ??= TTL_IDENTITY;
  }
  const dynamodb: LambdaStreamRecord['dynamodb'] = {
    ApproximateCreationDateTime: Math.floor(Number(d.ApproximateCreationDateTime ?? Date.now() / 1000)),
    Keys: d.Keys ?? {},
    SequenceNumber: String(d.SequenceNumber ?? ''),
    SizeBytes: Number(d.SizeBytes ?? 0),
    StreamViewType: String(d.StreamViewType ?? ''),
  };
  if (d.NewImage) dynamodb.NewImage = d.NewImage;
  if (d.OldImage) dynamodb.OldImage = d.OldImage;
  return {
    eventID: String(raw.eventID ?? ''),
    eventName,
    eventVersion: String(raw.eventVersion ?? '1.1'),
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb,
    eventSourceARN: eventSourceArn,
    ...(userIdentity ? { userIdentity } : {}),
  };
}

/** A stable lane for a record: records with the same keys always go to the same lane (ordering kept). */
export function laneOf(keys: AttributeMap, lanes: number): number {
  if (lanes <= 1) return 0;
  const text = JSON.stringify(keys);
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
  return Math.abs(hash) % lanes;
}
