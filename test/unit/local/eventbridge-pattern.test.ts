/**
 * EventBridge / Lambda filter pattern matcher.
 *
 * Most cases are the AWS documentation's own examples; each block names the page it comes from. Cases
 * marked "event-ruler" come from the README of aws/event-ruler, the open-source matcher behind
 * EventBridge, which fills in what the documentation leaves out.
 */
import fc from 'fast-check';
import {
  compileEventPattern,
  type EventPattern,
  InvalidEventPatternError,
  matchesEventPattern,
  validateEventPattern,
} from '../../../local/eventbridge/pattern';

const match = (pattern: EventPattern, event: unknown): boolean => matchesEventPattern(pattern, event);

/** Asserts that validation fails with a message mentioning every given fragment. */
function expectInvalid(pattern: unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    validateEventPattern(pattern);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(InvalidEventPatternError);
  const message = (caught as Error).message;
  for (const fragment of fragments) expect(message).toContain(fragment);
}

// "Amazon EventBridge event patterns": the EC2 instance state-change event.
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

// event-ruler README: the sample event used by its content-filtering examples.
const rulerEvent = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

const withDetail = (detail: Record<string, unknown>) => ({
  ...rulerEvent,
  detail: { ...rulerEvent.detail, ...detail },
});

describe('basic structure', () => {
  // "Amazon EventBridge event patterns"
  it('matches the documented EC2 termination pattern', () => {
    const pattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    };
    expect(match(pattern, ec2Event)).toBe(true);
    expect(match(pattern, { ...ec2Event, detail: { state: 'running' } })).toBe(false);
    expect(match(pattern, { ...ec2Event, source: 'aws.fargate' })).toBe(false);
  });

  // "Event pattern syntax": alternatives in one field are ORed.
  it('ORs the values listed for one field', () => {
    const pattern = { source: ['aws.ec2', 'aws.fargate'] };
    expect(match(pattern, { source: 'aws.ec2' })).toBe(true);
    expect(match(pattern, { source: 'aws.fargate' })).toBe(true);
    expect(match(pattern, { source: 'aws.s3' })).toBe(false);
  });

  // "Event pattern syntax": the event must contain every field named in the pattern, with the same nesting.
  it('does not match when a pattern field is missing or nested differently', () => {
    expect(match({ detail: { state: ['terminated'] } }, { state: 'terminated' })).toBe(false);
    expect(match({ source: ['aws.ec2'], account: ['1'] }, { source: 'aws.ec2' })).toBe(false);
    expect(match({ detail: { state: ['terminated'] } }, { detail: 'terminated' })).toBe(false);
  });

  it('ignores event fields that the pattern does not mention', () => {
    expect(match({ source: ['aws.ec2'] }, ec2Event)).toBe(true);
  });

  it('matches everything with an empty pattern', () => {
    expect(match({}, ec2Event)).toBe(true);
    expect(match({}, {})).toBe(true);
  });

  it('is case-sensitive and does not normalize strings', () => {
    expect(match({ source: ['aws.ec2'] }, { source: 'AWS.EC2' })).toBe(false);
    expect(match({ source: ['aws.ec2'] }, { source: ' aws.ec2' })).toBe(false);
  });

  it('does not treat inherited properties as present', () => {
    expect(match({ constructor: [{ exists: true }] }, {})).toBe(false);
    expect(match({ toString: [{ exists: false }] }, {})).toBe(true);
  });

  it('supports field names with dots, spaces and $ as plain names', () => {
    expect(match({ 'a.b': ['x'] }, { 'a.b': 'x' })).toBe(true);
    expect(match({ 'a.b': ['x'] }, { a: { b: 'x' } })).toBe(false);
  });
});

describe('value types', () => {
  // "Matching null values and empty strings in Amazon EventBridge event patterns"
  const autoscalingEvent = {
    version: '0',
    id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
    'detail-type': 'EC2 Instance Launch Successful',
    source: 'aws.autoscaling',
    account: '123456789012',
    time: '2015-11-11T21:31:47Z',
    region: 'us-east-1',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };

  it('matches an empty string with [""]', () => {
    expect(match({ detail: { eventVersion: [''] } }, autoscalingEvent)).toBe(true);
  });

  it('matches a null value with [null]', () => {
    expect(match({ detail: { responseElements: [null] } }, autoscalingEvent)).toBe(true);
  });

  it('does not treat null and the empty string as interchangeable', () => {
    expect(match({ detail: { eventVersion: [null] } }, autoscalingEvent)).toBe(false);
    expect(match({ detail: { responseElements: [''] } }, autoscalingEvent)).toBe(false);
  });

  it('does not treat a missing field as null', () => {
    expect(match({ detail: { other: [null] } }, autoscalingEvent)).toBe(false);
  });

  // "Matching events on event field values"
  it('matches the documented field-matching example', () => {
    const pattern = {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance Launch Successful'],
      detail: { responseElements: [null] },
    };
    expect(match(pattern, autoscalingEvent)).toBe(true);
  });

  it('compares numbers numerically and never with strings', () => {
    expect(match({ n: [300] }, { n: 300 })).toBe(true);
    expect(match({ n: [300] }, { n: 3.0e2 })).toBe(true);
    expect(match({ n: [300] }, { n: '300' })).toBe(false);
    expect(match({ n: ['300'] }, { n: 300 })).toBe(false);
    expect(match({ n: [0] }, { n: -0 })).toBe(true);
  });

  it('compares booleans exactly, not as strings', () => {
    expect(match({ b: [true] }, { b: true })).toBe(true);
    expect(match({ b: [true] }, { b: false })).toBe(false);
    expect(match({ b: [true] }, { b: 'true' })).toBe(false);
    expect(match({ b: ['false'] }, { b: false })).toBe(false);
  });

  // "Lambda event filtering": the console example `{ "a" : [ 1, 2 ] }`.
  it('matches the Lambda console example', () => {
    expect(match({ a: [1, 2] }, { a: 2 })).toBe(true);
    expect(match({ a: [1, 2] }, { a: 3 })).toBe(false);
  });

  it('compares a pattern IP address as an address', () => {
    expect(match({ ip: ['2001:db8::1'] }, { ip: '2001:0db8:0:0:0:0:0:1' })).toBe(true);
    expect(match({ ip: ['10.0.0.1'] }, { ip: '10.0.0.1' })).toBe(true);
    expect(match({ ip: ['10.0.0.1'] }, { ip: '10.0.0.2' })).toBe(false);
  });
});

describe('arrays in events', () => {
  // "Arrays in Amazon EventBridge event patterns"
  it('matches when the pattern array and the event array intersect', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(match(pattern, event)).toBe(true);
    expect(match(pattern, { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] })).toBe(false);
    expect(match(pattern, { resources: [] })).toBe(false);
  });

  // event-ruler README ("Simple matching"): a rule value matches one element of an event array.
  it('matches the event-ruler simple-matching rule', () => {
    const pattern = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    };
    expect(match(pattern, rulerEvent)).toBe(true);
  });

  // event-ruler README ("JSON Array Matching"): objects in arrays match one element at a time.
  it('matches fields of a nested pattern inside one array element (array consistency)', () => {
    const event = {
      employees: [
        { firstName: 'John', lastName: 'Doe' },
        { firstName: 'Anna', lastName: 'Smith' },
        { firstName: 'Peter', lastName: 'Jones' },
      ],
    };
    expect(match({ employees: { firstName: ['Anna'] } }, event)).toBe(true);
    expect(match({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event)).toBe(true);
    expect(match({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event)).toBe(false);
  });

  it('flattens nested arrays', () => {
    const event = {
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter' }],
      ],
    };
    expect(match({ employees: { firstName: ['Peter'] } }, event)).toBe(true);
    expect(match({ tags: ['b'] }, { tags: [['a'], ['b', ['c']]] })).toBe(true);
  });

  it('matches an operator against any element', () => {
    expect(match({ files: [{ suffix: '.png' }] }, { files: ['a.txt', 'b.png'] })).toBe(true);
    expect(match({ n: [{ numeric: ['>', 10] }] }, { n: [1, 2, 30] })).toBe(true);
    expect(match({ n: [{ numeric: ['>', 10] }] }, { n: [1, 2, 3] })).toBe(false);
  });
});

describe('prefix', () => {
  // "Content filtering in Amazon EventBridge event patterns" (Prefix matching)
  it('matches the documented time prefix', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }] };
    expect(match(pattern, { time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(match(pattern, { time: '2017-10-03T18:43:48Z' })).toBe(false);
    expect(match(pattern, {})).toBe(false);
  });

  // "Lambda event filtering" comparison table: Region is in the US.
  it('matches the Lambda "Begins with" example', () => {
    expect(match({ Region: [{ prefix: 'us-' }] }, { Region: 'us-east-1' })).toBe(true);
    expect(match({ Region: [{ prefix: 'us-' }] }, { Region: 'eu-west-1' })).toBe(false);
  });

  it('only applies to strings', () => {
    expect(match({ n: [{ prefix: '12' }] }, { n: 123 })).toBe(false);
    expect(match({ n: [{ prefix: 'nu' }] }, { n: null })).toBe(false);
  });

  // "Content filtering in Amazon EventBridge event patterns" (Prefix matching while ignoring case)
  it('matches a prefix ignoring case', () => {
    const pattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(match(pattern, { detail: { service: 'EventBridge' } })).toBe(true);
    expect(match(pattern, { detail: { service: 'EVENTBRIDGE' } })).toBe(true);
    expect(match(pattern, { detail: { service: 'eventbus' } })).toBe(true);
    expect(match(pattern, { detail: { service: 'Event Bridge' } })).toBe(false);
  });
});

describe('suffix', () => {
  // "Content filtering in Amazon EventBridge event patterns" (Suffix matching)
  it('matches the documented .png suffix', () => {
    const pattern = { FileName: [{ suffix: '.png' }] };
    expect(match(pattern, { FileName: 'image.png' })).toBe(true);
    expect(match(pattern, { FileName: 'image.PNG' })).toBe(false);
    expect(match(pattern, { FileName: 'image.png.txt' })).toBe(false);
  });

  // "Content filtering in Amazon EventBridge event patterns" (Suffix matching while ignoring case)
  it('matches a suffix ignoring case', () => {
    const pattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(match(pattern, { detail: { FileName: 'photo.png' } })).toBe(true);
    expect(match(pattern, { detail: { FileName: 'photo.PNG' } })).toBe(true);
    expect(match(pattern, { detail: { FileName: 'photo.Png' } })).toBe(true);
    expect(match(pattern, { detail: { FileName: 'photo.jpg' } })).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  // "Comparison operators for use in event patterns in Amazon EventBridge": Name is "Alice".
  it('matches the documented example', () => {
    const pattern = { Name: [{ 'equals-ignore-case': 'alice' }] };
    expect(match(pattern, { Name: 'Alice' })).toBe(true);
    expect(match(pattern, { Name: 'ALICE' })).toBe(true);
    expect(match(pattern, { Name: 'Alicia' })).toBe(false);
    expect(match(pattern, { Name: 'Alice ' })).toBe(false);
  });

  it('treats regular-expression characters literally', () => {
    const pattern = { v: [{ 'equals-ignore-case': 'a.b*(c)' }] };
    expect(match(pattern, { v: 'A.B*(C)' })).toBe(true);
    expect(match(pattern, { v: 'axb*(c)' })).toBe(false);
  });

  it('folds case per character the way event-ruler does', () => {
    expect(match({ v: [{ 'equals-ignore-case': 'straße' }] }, { v: 'STRASSE' })).toBe(true);
    expect(match({ v: [{ 'equals-ignore-case': 'ÉCOLE' }] }, { v: 'école' })).toBe(true);
  });
});

describe('wildcard', () => {
  // AWS Compute Blog "Filtering events in Amazon EventBridge with wildcard pattern matching".
  it('matches the blog examples "*.png" and "*Title*"', () => {
    expect(match({ key: [{ wildcard: '*.png' }] }, { key: 'dir/image.png' })).toBe(true);
    expect(match({ key: [{ wildcard: '*.png' }] }, { key: 'image.jpg' })).toBe(false);
    expect(match({ title: [{ wildcard: '*Title*' }] }, { title: 'The Title Page' })).toBe(true);
    expect(match({ title: [{ wildcard: '*Title*' }] }, { title: 'Title' })).toBe(true);
    expect(match({ title: [{ wildcard: '*Title*' }] }, { title: 'title' })).toBe(false);
  });

  // event-ruler README (Wildcard matching)
  it('matches "Simple*Service"', () => {
    const pattern = { source: [{ wildcard: 'Simple*Service' }] };
    expect(match(pattern, { source: 'SimpleQueueService' })).toBe(true);
    expect(match(pattern, { source: 'SimpleService' })).toBe(true);
    expect(match(pattern, { source: 'SimpleQueueServices' })).toBe(false);
  });

  it('matches a file in any sub-folder of "dir"', () => {
    const pattern = { FileName: [{ wildcard: 'dir/*.png' }] };
    expect(match(pattern, { FileName: 'dir/dir1/dir2/image.png' })).toBe(true);
    expect(match(pattern, { FileName: 'other/image.png' })).toBe(false);
  });

  it('handles several wildcards without overlapping segments', () => {
    const pattern = { v: [{ wildcard: 'a*b*c' }] };
    expect(match(pattern, { v: 'abc' })).toBe(true);
    expect(match(pattern, { v: 'a-b-b-c' })).toBe(true);
    expect(match(pattern, { v: 'ac' })).toBe(false);
    expect(match({ v: [{ wildcard: 'ab*ba' }] }, { v: 'aba' })).toBe(false);
    expect(match({ v: [{ wildcard: '*' }] }, { v: '' })).toBe(true);
  });

  it('treats \\* as a literal asterisk and \\\\ as a backslash', () => {
    expect(match({ v: [{ wildcard: 'a\\*b' }] }, { v: 'a*b' })).toBe(true);
    expect(match({ v: [{ wildcard: 'a\\*b' }] }, { v: 'axb' })).toBe(false);
    expect(match({ v: [{ wildcard: 'a\\\\*' }] }, { v: 'a\\anything' })).toBe(true);
  });

  it('without a wildcard character is an exact match, and only applies to strings', () => {
    expect(match({ v: [{ wildcard: 'abc' }] }, { v: 'abc' })).toBe(true);
    expect(match({ v: [{ wildcard: 'abc' }] }, { v: 'abcd' })).toBe(false);
    expect(match({ v: [{ wildcard: '*' }] }, { v: 5 })).toBe(false);
  });
});

describe('anything-but', () => {
  // "Content filtering in Amazon EventBridge event patterns" (Anything-but matching)
  it('excludes a single string', () => {
    const pattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(match(pattern, { detail: { state: 'running' } })).toBe(true);
    expect(match(pattern, { detail: { state: 'initializing' } })).toBe(false);
  });

  it('excludes a single number', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };
    expect(match(pattern, { detail: { 'x-limit': 124 } })).toBe(true);
    expect(match(pattern, { detail: { 'x-limit': 123 } })).toBe(false);
  });

  it('excludes a list of strings', () => {
    const pattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(match(pattern, { detail: { state: 'running' } })).toBe(true);
    expect(match(pattern, { detail: { state: 'stopped' } })).toBe(false);
    expect(match(pattern, { detail: { state: 'overloaded' } })).toBe(false);
  });

  it('excludes a list of numbers', () => {
    const pattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(match(pattern, { detail: { 'x-limit': 301.8 } })).toBe(true);
    expect(match(pattern, { detail: { 'x-limit': 200 } })).toBe(false);
  });

  // "Lambda event filtering" comparison table: Weather is anything but "Raining".
  it('matches the Lambda "Not" example', () => {
    const pattern = { Weather: [{ 'anything-but': ['Raining'] }] };
    expect(match(pattern, { Weather: 'Sunny' })).toBe(true);
    expect(match(pattern, { Weather: 'Raining' })).toBe(false);
  });

  it('does not match a missing field or one without a leaf value', () => {
    const pattern = { state: [{ 'anything-but': 'initializing' }] };
    expect(match(pattern, {})).toBe(false);
    expect(match(pattern, { state: [] })).toBe(false);
    expect(match(pattern, { state: { nested: 'x' } })).toBe(false);
  });

  it('matches values of another type (a number is "anything but" a string)', () => {
    expect(match({ v: [{ 'anything-but': 'initializing' }] }, { v: 5 })).toBe(true);
    expect(match({ v: [{ 'anything-but': 'initializing' }] }, { v: null })).toBe(true);
    expect(match({ v: [{ 'anything-but': [100] }] }, { v: '100' })).toBe(true);
  });

  it('matches an event array when any element is not excluded', () => {
    const pattern = { v: [{ 'anything-but': 'stopped' }] };
    expect(match(pattern, { v: ['stopped', 'running'] })).toBe(true);
    expect(match(pattern, { v: ['stopped', 'stopped'] })).toBe(false);
  });

  // "Content filtering in Amazon EventBridge event patterns" (anything-but with a prefix)
  it('excludes a prefix', () => {
    const pattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(match(pattern, { detail: { state: 'running' } })).toBe(true);
    expect(match(pattern, { detail: { state: 'initializing' } })).toBe(false);
    expect(match(pattern, {})).toBe(false);
  });

  // "Comparison operators for use in event patterns in Amazon EventBridge": Region is not in the US.
  it('matches the documented "Anything-but (begins with)" example', () => {
    const pattern = { Region: [{ 'anything-but': { prefix: 'us-' } }] };
    expect(match(pattern, { Region: 'eu-west-1' })).toBe(true);
    expect(match(pattern, { Region: 'us-east-1' })).toBe(false);
  });

  it('excludes a list of prefixes', () => {
    const pattern = { Region: [{ 'anything-but': { prefix: ['us-', 'ca-'] } }] };
    expect(match(pattern, { Region: 'eu-west-1' })).toBe(true);
    expect(match(pattern, { Region: 'ca-central-1' })).toBe(false);
  });

  // "Comparison operators for use in event patterns in Amazon EventBridge": FileName does not end with .png.
  it('excludes a suffix', () => {
    const pattern = { FileName: [{ 'anything-but': { suffix: '.png' } }] };
    expect(match(pattern, { FileName: 'notes.txt' })).toBe(true);
    expect(match(pattern, { FileName: 'image.png' })).toBe(false);
    expect(match(pattern, { FileName: 'image.PNG' })).toBe(true);
  });

  // "Comparison operators for use in event patterns in Amazon EventBridge": anything but "initializing", any case.
  it('excludes a value ignoring case', () => {
    const pattern = { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] };
    expect(match(pattern, { state: 'running' })).toBe(true);
    expect(match(pattern, { state: 'INITIALIZING' })).toBe(false);
    expect(match(pattern, { state: 'Initializing' })).toBe(false);
  });

  it('excludes a list of values ignoring case', () => {
    const pattern = { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'Stopped'] } }] };
    expect(match(pattern, { state: 'running' })).toBe(true);
    expect(match(pattern, { state: 'STOPPED' })).toBe(false);
  });

  // "Comparison operators for use in event patterns in Amazon EventBridge": FilePath does not include /lib/.
  it('excludes a wildcard', () => {
    const pattern = { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] };
    expect(match(pattern, { FilePath: '/usr/bin/tool' })).toBe(true);
    expect(match(pattern, { FilePath: '/usr/lib/tool.so' })).toBe(false);
    expect(
      match({ FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, { FilePath: '/usr/bin/tool' }),
    ).toBe(false);
  });
});

describe('numeric', () => {
  // "Content filtering in Amazon EventBridge event patterns" (Numeric matching)
  const pattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };

  it('matches the documented example', () => {
    expect(match(pattern, rulerEvent)).toBe(true);
  });

  it('applies open and closed bounds', () => {
    expect(match(pattern, withDetail({ 'c-count': 0 }))).toBe(false);
    expect(match(pattern, withDetail({ 'c-count': 0.000001 }))).toBe(true);
    expect(match(pattern, withDetail({ 'c-count': 5.000001 }))).toBe(false);
    expect(match(pattern, withDetail({ 'd-count': 10 }))).toBe(false);
    expect(match(pattern, withDetail({ 'd-count': -1e9 }))).toBe(true);
    expect(match(pattern, withDetail({ 'x-limit': 301.80000001 }))).toBe(false);
  });

  it('does not match numeric strings or missing fields', () => {
    expect(match(pattern, withDetail({ 'x-limit': '301.8' }))).toBe(false);
    expect(match({ n: [{ numeric: ['>', 0] }] }, {})).toBe(false);
  });

  it.each([
    ['=', 5, 5, true],
    ['=', 5, 6, false],
    ['<', 5, 4.9, true],
    ['<', 5, 5, false],
    ['<=', 5, 5, true],
    ['>', 5, 5, false],
    ['>', 5, 5.1, true],
    ['>=', 5, 5, true],
    ['>=', 5, 4.9, false],
  ] as const)('numeric ["%s", %d] against %d is %s', (operator, bound, value, expected) => {
    expect(match({ n: [{ numeric: [operator, bound] }] }, { n: value })).toBe(expected);
  });

  // "Lambda event filtering": Price is 100; Price is more than 10 and at most 20; Temperature in (50, 60].
  it('matches the Lambda numeric examples', () => {
    expect(match({ Price: [{ numeric: ['=', 100] }] }, { Price: 100 })).toBe(true);
    expect(match({ Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 20 })).toBe(true);
    expect(match({ Price: [{ numeric: ['>', 10, '<=', 20] }] }, { Price: 10 })).toBe(false);
    const temperature = { data: { Temperature: [{ numeric: ['>', 50, '<=', 60] }] } };
    expect(match(temperature, { data: { Temperature: 55 } })).toBe(true);
    expect(match(temperature, { data: { Temperature: 61 } })).toBe(false);
  });
});

describe('cidr', () => {
  // "Content filtering in Amazon EventBridge event patterns" (IP address matching)
  it('matches the documented IPv4 range', () => {
    const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };
    expect(match(pattern, { detail: { sourceIPAddress: '10.0.0.0' } })).toBe(true);
    expect(match(pattern, { detail: { sourceIPAddress: '10.0.0.255' } })).toBe(true);
    expect(match(pattern, { detail: { sourceIPAddress: '10.0.1.0' } })).toBe(false);
    expect(match(pattern, { detail: { sourceIPAddress: '9.255.255.255' } })).toBe(false);
  });

  // event-ruler README (IP Address Matching, complex example)
  it('matches the event-ruler source-ip example', () => {
    expect(match({ detail: { 'source-ip': [{ cidr: '10.0.0.0/8' }] } }, rulerEvent)).toBe(true);
    expect(match({ detail: { 'source-ip': [{ cidr: '192.168.0.0/16' }] } }, rulerEvent)).toBe(false);
  });

  it('matches IPv6 ranges', () => {
    const pattern = { ip: [{ cidr: '2001:db8::/32' }] };
    expect(match(pattern, { ip: '2001:db8::1' })).toBe(true);
    expect(match(pattern, { ip: '2001:0DB8:ffff:ffff:ffff:ffff:ffff:ffff' })).toBe(true);
    expect(match(pattern, { ip: '2001:db9::1' })).toBe(false);
    expect(match({ ip: [{ cidr: '2400:6500:FF00::36FB:1F80/122' }] }, { ip: '2400:6500:ff00::36fb:1fbf' })).toBe(true);
    expect(match({ ip: [{ cidr: '2400:6500:FF00::36FB:1F80/122' }] }, { ip: '2400:6500:ff00::36fb:1fc0' })).toBe(false);
  });

  it('does not match other address families, non-addresses or non-strings', () => {
    expect(match({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '::1' })).toBe(false);
    expect(match({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 'localhost' })).toBe(false);
    expect(match({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 167772161 })).toBe(false);
    expect(match({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '256.0.0.1' })).toBe(false);
  });
});

describe('exists', () => {
  // "Content filtering in Amazon EventBridge event patterns" (Exists matching)
  it('exists: true matches an event that has the field', () => {
    const pattern = { detail: { state: [{ exists: true }] } };
    const event = {
      version: '0',
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2015-11-11T21:29:54Z',
      region: 'us-east-1',
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
      detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
    };
    expect(match(pattern, event)).toBe(true);
  });

  it('exists: true does not match an event without the field (only an intermediate node)', () => {
    const pattern = { detail: { state: [{ exists: true }] } };
    const event = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { 'c-count': { c1: 100 } },
    };
    expect(match(pattern, event)).toBe(false);
    expect(match({ detail: { 'c-count': [{ exists: true }] } }, event)).toBe(false);
  });

  it('exists: false matches an event without the field, including when it is not a leaf', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    const withoutField = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'] },
    };
    const withIntermediateNode = { ...withoutField, detail: { ...withoutField.detail, 'c-count': { c1: 100 } } };
    expect(match(pattern, withoutField)).toBe(true);
    expect(match(pattern, withIntermediateNode)).toBe(true);
    expect(match(pattern, { detail: { 'c-count': 3 } })).toBe(false);
  });

  it('exists: false also holds when the parent object is missing', () => {
    expect(match({ detail: { 'c-count': [{ exists: false }] } }, { source: 'x' })).toBe(true);
    expect(match({ detail: { 'c-count': [{ exists: false }] } }, { detail: 'a string' })).toBe(true);
  });

  // "Lambda event filtering" comparison table: ProductName exists / does not exist.
  it('matches the Lambda exists examples', () => {
    expect(match({ ProductName: [{ exists: true }] }, { ProductName: 'Widget' })).toBe(true);
    expect(match({ ProductName: [{ exists: false }] }, { ProductName: 'Widget' })).toBe(false);
    expect(match({ ProductName: [{ exists: false }] }, { Other: 'x' })).toBe(true);
  });

  it('treats null and the empty string as existing values', () => {
    expect(match({ v: [{ exists: true }] }, { v: null })).toBe(true);
    expect(match({ v: [{ exists: true }] }, { v: '' })).toBe(true);
    expect(match({ v: [{ exists: false }] }, { v: null })).toBe(false);
  });

  it('treats an array by its leaves: an empty array (or one of objects only) does not exist', () => {
    expect(match({ v: [{ exists: true }] }, { v: ['a'] })).toBe(true);
    expect(match({ v: [{ exists: true }] }, { v: [] })).toBe(false);
    expect(match({ v: [{ exists: false }] }, { v: [] })).toBe(true);
    expect(match({ v: [{ exists: false }] }, { v: [{ w: 1 }] })).toBe(true);
  });

  it('evaluates exists inside one array element at a time', () => {
    const event = { items: [{ sku: 'a', discount: 5 }, { sku: 'b' }] };
    expect(match({ items: { sku: ['b'], discount: [{ exists: false }] } }, event)).toBe(true);
    expect(match({ items: { sku: ['a'], discount: [{ exists: false }] } }, event)).toBe(false);
  });

  it('combines with other alternatives as an OR', () => {
    const pattern = { v: ['x', { exists: false }] };
    expect(match(pattern, {})).toBe(true);
    expect(match(pattern, { v: 'x' })).toBe(true);
    expect(match(pattern, { v: 'y' })).toBe(false);
  });
});

describe('$or', () => {
  // "Comparison operators for use in event patterns in Amazon EventBridge": Location is "New York", or Day is "Monday".
  it('matches the documented example', () => {
    const pattern = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
    expect(match(pattern, { Location: 'New York', Day: 'Friday' })).toBe(true);
    expect(match(pattern, { Location: 'Paris', Day: 'Monday' })).toBe(true);
    expect(match(pattern, { Location: 'Paris', Day: 'Friday' })).toBe(false);
  });

  // "Filtering event rules using customized JSON event patterns" (AWS User Notifications): $or under detail.
  it('works below the top level', () => {
    const pattern = { detail: { $or: [{ state: ['running'] }, { state: ['terminated'] }] } };
    expect(match(pattern, ec2Event)).toBe(true);
    expect(match(pattern, { detail: { state: 'pending' } })).toBe(false);
  });

  // event-ruler README ("$or" primitive): "source" && ("metricName" || "namespace").
  it('is ANDed with sibling fields', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    };
    expect(match(pattern, { source: 'aws.cloudwatch', metricName: 'ReadLatency' })).toBe(true);
    expect(match(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/ES' })).toBe(true);
    expect(match(pattern, { source: 'aws.cloudwatch', namespace: 'AWS/S3' })).toBe(false);
    expect(match(pattern, { source: 'aws.ec2', metricName: 'ReadLatency' })).toBe(false);
  });

  // event-ruler README: parallel "Or", ("metricName" || "namespace") && ("detail.source" || "detail.detail-type").
  it('supports parallel $or at different levels', () => {
    const pattern = {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    };
    expect(
      match(pattern, { metricName: 'CPUUtilization', detail: { 'detail-type': 'CloudWatch Alarm State Change' } }),
    ).toBe(true);
    expect(match(pattern, { metricName: 'CPUUtilization', detail: { source: 'aws.ec2' } })).toBe(false);
  });

  // event-ruler README: nested "Or" and "And".
  it('supports nested $or with an AND inside a branch', () => {
    const pattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    };
    const base = { source: 'aws.cloudwatch' };
    expect(match(pattern, { ...base, scope: 'Service' })).toBe(true);
    expect(match(pattern, { ...base, metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 })).toBe(true);
    expect(match(pattern, { ...base, metricType: 'MetricType', namespace: 'AWS/EC2' })).toBe(false);
    expect(match(pattern, { ...base, metricType: 'MetricType', spaceId: 1000 })).toBe(false);
  });

  // event-ruler JsonRuleCompiler: $or over numeric conditions under "detail".
  it('works with operators inside branches', () => {
    const pattern = {
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(match(pattern, { detail: { 'x-limit': 301.8 } })).toBe(true);
    expect(match(pattern, { detail: { 'c-count': 50, 'd-count': 50 } })).toBe(false);
  });
});

describe('combined examples', () => {
  // "Content filtering in Amazon EventBridge event patterns" (Complex example with multiple matching)
  it('matches the documented complex example', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    };
    expect(match(pattern, rulerEvent)).toBe(true);
    expect(match(pattern, withDetail({ state: 'initializing' }))).toBe(false);
    expect(match(pattern, withDetail({ 'x-limit': 200 }))).toBe(false);
    expect(match(pattern, { ...rulerEvent, time: '2017-10-03T00:00:00Z' })).toBe(false);
  });

  // "Comparison operators for use in event patterns in Amazon EventBridge": And, Or, Empty, Null, Equals.
  it('matches the documented comparison-table rows', () => {
    expect(match({ Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Monday' })).toBe(true);
    expect(match({ Location: ['New York'], Day: ['Monday'] }, { Location: 'New York', Day: 'Sunday' })).toBe(false);
    expect(match({ PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Debit' })).toBe(true);
    expect(match({ LastName: [''] }, { LastName: '' })).toBe(true);
    expect(match({ UserID: [null] }, { UserID: null })).toBe(true);
    expect(match({ Name: ['Alice'] }, { Name: 'Alice' })).toBe(true);
  });

  // "Lambda event filtering" (Filtering examples): Kinesis metadata and data properties.
  it('matches the Lambda Kinesis example', () => {
    const pattern = { partitionKey: ['1'], data: { Location: ['Los Angeles'] } };
    expect(match(pattern, { partitionKey: '1', data: { Location: 'Los Angeles' } })).toBe(true);
    expect(match(pattern, { partitionKey: '2', data: { Location: 'Los Angeles' } })).toBe(false);
  });

  // "Lambda event filtering" (Multi-level filtering): DynamoDB numbers arrive as strings ("N": "101").
  it('matches the Lambda multi-level DynamoDB example', () => {
    const record = {
      dynamodb: {
        Keys: { Id: { N: '101' } },
        NewImage: { Message: { S: 'New item!' }, Id: { N: '101' } },
        SequenceNumber: '111',
        SizeBytes: 26,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
    expect(match({ dynamodb: { Keys: { Id: { N: ['101'] } } } }, record)).toBe(true);
    expect(match({ dynamodb: { Keys: { Id: { N: [101] } } } }, record)).toBe(false);
    expect(match({ dynamodb: { Keys: { Id: { N: [{ numeric: ['=', 101] }] } } } }, record)).toBe(false);
  });

  // "Using event filtering with a DynamoDB event source": table keys and attributes.
  it('matches the DynamoDB key and NewImage attribute examples', () => {
    const record = {
      eventID: '1',
      eventVersion: '1.0',
      dynamodb: {
        ApproximateCreationDateTime: '1678831218.0',
        Keys: { CustomerName: { S: 'AnyCompany Industries' } },
        NewImage: {
          AccountManager: { S: 'Pat Candella' },
          PaymentTerms: { S: '60 days' },
          CustomerName: { S: 'AnyCompany Industries' },
        },
        SequenceNumber: '111',
        SizeBytes: 26,
        StreamViewType: 'NEW_IMAGE',
      },
    };
    const byKey = compileEventPattern(
      '{ "dynamodb" : { "Keys" : { "CustomerName" : { "S" : [ "AnyCompany Industries" ] } } } }',
    );
    expect(byKey(record)).toBe(true);
    const byAttribute = compileEventPattern({
      dynamodb: { NewImage: { AccountManager: { S: ['Pat Candella', 'Shirley Rodriguez'] } } },
    });
    expect(byAttribute(record)).toBe(true);
    expect(
      byAttribute({ ...record, dynamodb: { ...record.dynamodb, NewImage: { AccountManager: { S: 'Someone' } } } }),
    ).toBe(false);
  });
});

describe('compileEventPattern', () => {
  it('parses a JSON string and gives the same answers as the object form', () => {
    const text = '{"source":["aws.ec2"],"detail":{"state":[{"anything-but":"running"}]}}';
    const compiled = compileEventPattern(text);
    expect(compiled(ec2Event)).toBe(true);
    expect(compiled(ec2Event)).toBe(match(JSON.parse(text) as EventPattern, ec2Event));
  });

  it('uses the last of duplicate keys, as AWS does', () => {
    // "Content filtering in Amazon EventBridge event patterns": the last reference to a key is the one used.
    const compiled = compileEventPattern(
      '{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}',
    );
    expect(compiled({ detail: { location: 'eu-west' } })).toBe(true);
    expect(compiled({ detail: { location: 'us-east' } })).toBe(false);
  });

  it('rejects invalid JSON and invalid patterns', () => {
    expect(() => compileEventPattern('{"source": [')).toThrow(InvalidEventPatternError);
    expect(() => compileEventPattern('{"source": "aws.ec2"}')).toThrow(/source/);
    expect(() => compileEventPattern('')).toThrow(/not valid JSON/);
  });

  it('matches non-object events only with conditions that hold on an empty object', () => {
    expect(compileEventPattern({ a: [{ exists: false }] })('text')).toBe(true);
    expect(compileEventPattern({ a: ['x'] })(null)).toBe(false);
    expect(compileEventPattern({ a: ['x'] })([{ a: 'x' }])).toBe(true);
  });
});

describe('validation', () => {
  it('accepts every documented pattern form, including an empty pattern', () => {
    expect(() => validateEventPattern({})).not.toThrow();
    expect(() =>
      validateEventPattern({
        a: ['x', 1, true, null, ''],
        b: [
          { prefix: 'p' },
          { prefix: { 'equals-ignore-case': 'p' } },
          { suffix: 's' },
          { suffix: { 'equals-ignore-case': 's' } },
        ],
        c: [{ 'anything-but': 'x' }, { 'anything-but': 1 }, { 'anything-but': ['x', 'y'] }, { 'anything-but': [1, 2] }],
        d: [{ 'anything-but': { prefix: 'p' } }, { 'anything-but': { suffix: ['s', 't'] } }],
        e: [{ 'anything-but': { 'equals-ignore-case': ['x'] } }, { 'anything-but': { wildcard: '*x*' } }],
        f: [{ numeric: ['=', 1] }, { numeric: ['>=', 0, '<', 1] }, { numeric: ['<=', -1] }],
        g: [{ exists: true }, { exists: false }, { cidr: '10.0.0.0/8' }, { cidr: '::/0' }],
        h: [{ wildcard: 'a*b\\*c\\\\' }, { 'equals-ignore-case': 'X' }],
        $or: [{ i: ['x'] }, { j: { k: ['y'] } }],
      }),
    ).not.toThrow();
  });

  it('narrows the type of a valid pattern', () => {
    const pattern: unknown = JSON.parse('{"source":["aws.ec2"]}');
    validateEventPattern(pattern);
    expect(matchesEventPattern(pattern, { source: 'aws.ec2' })).toBe(true);
  });

  it('throws InvalidEventPatternError, an Error with its own name', () => {
    const error = (() => {
      try {
        validateEventPattern({ source: 'aws.ec2' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidEventPatternError);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('InvalidEventPatternError');
  });

  it('rejects a pattern that is not an object', () => {
    expectInvalid([], 'must be a JSON object');
    expectInvalid('source', 'must be a JSON object');
    expectInvalid(null, 'must be a JSON object');
  });

  it('rejects a leaf that is not an array', () => {
    expectInvalid({ source: 'aws.ec2' }, 'source', 'must be an array');
    expectInvalid({ detail: { state: 5 } }, 'detail.state', 'must be an array');
    expectInvalid({ detail: { state: null } }, 'detail.state');
  });

  it('rejects empty arrays and empty nested objects', () => {
    expectInvalid({ source: [] }, 'source', 'empty arrays are not allowed');
    expectInvalid({ detail: {} }, 'detail', 'empty objects are not allowed');
  });

  it('rejects nested arrays and other non-values inside a leaf', () => {
    expectInvalid({ source: [['aws.ec2']] }, 'source[0]', 'string, number, true, false, null or an operator object');
  });

  it('rejects unknown operators and names the allowed ones', () => {
    expectInvalid(
      { detail: { state: [{ contains: 'x' }] } },
      'detail.state[0]',
      'unknown operator "contains"',
      'allowed:',
      'prefix',
    );
    expectInvalid({ a: [{ exactly: 'x' }] }, 'unknown operator "exactly"');
  });

  it('rejects operator objects without exactly one key', () => {
    expectInvalid({ a: [{}] }, 'a[0]', 'exactly one key');
    expectInvalid({ a: [{ prefix: 'a', suffix: 'b' }] }, 'exactly one key', 'prefix, suffix');
    expectInvalid({ a: [{ exists: true, prefix: 'a' }] }, 'exactly one key');
  });

  it('rejects bad operands of the string operators', () => {
    expectInvalid({ a: [{ prefix: 5 }] }, 'a[0].prefix', 'prefix takes a string');
    expectInvalid({ a: [{ prefix: { other: 'x' } }] }, 'equals-ignore-case');
    expectInvalid({ a: [{ suffix: { 'equals-ignore-case': 1 } }] }, 'suffix takes');
    expectInvalid({ a: [{ 'equals-ignore-case': ['x'] }] }, 'equals-ignore-case takes a string');
    expectInvalid({ a: [{ exists: 'yes' }] }, 'a[0].exists', 'true or false');
  });

  it.each([
    [['!=', 1], 'unknown numeric operator'],
    [['>', '5'], 'must be a number'],
    [['<', 5, '>', 1], 'lower bound first'],
    [['=', 1, '<', 2], 'takes exactly one number'],
    [['>', 5, '<', 1], 'lower bound of a range must be less than the upper bound'],
    [['>', 5, '<', 5], 'lower bound of a range must be less than the upper bound'],
    [['>', 1, '>', 2], 'upper bound of a range takes "<" or "<="'],
    [['>', 1, '<', 2, '<', 3], 'wrong number of elements'],
    [['>', 1, '<'], 'wrong number of elements'],
    [[], 'numeric takes a list'],
  ])('rejects numeric %j', (operands, fragment) => {
    expectInvalid({ a: [{ numeric: operands }] }, 'a[0].numeric', fragment);
  });

  it('rejects a numeric operand that is not a list', () => {
    expectInvalid({ a: [{ numeric: 5 }] }, 'numeric takes a list');
  });

  it.each([
    [null, 'anything-but takes a string, a number'],
    [true, 'anything-but takes a string, a number'],
    [[], 'non-empty list of only strings or only numbers'],
    [['a', 1], 'non-empty list of only strings or only numbers'],
    [[null], 'non-empty list of only strings or only numbers'],
    [{ contains: 'x' }, 'anything-but takes one of'],
    [{ prefix: '' }, 'cannot be empty'],
    [{ suffix: [''] }, 'cannot be empty'],
    [{ prefix: 5 }, 'takes a string or a list of strings'],
    [{ 'equals-ignore-case': [1] }, 'takes a string or a list of strings'],
    [{ wildcard: [] }, 'non-empty list of strings'],
    [{ wildcard: 'a**' }, 'consecutive wildcard'],
    [{ prefix: 'a', suffix: 'b' }, 'anything-but takes one of'],
  ])('rejects anything-but %j', (operand, fragment) => {
    expectInvalid({ a: [{ 'anything-but': operand }] }, 'a[0].anything-but', fragment);
  });

  it('rejects malformed wildcards', () => {
    expectInvalid({ a: [{ wildcard: 'a**b' }] }, 'a[0].wildcard', 'consecutive wildcard characters');
    expectInvalid({ a: [{ wildcard: 'a\\b' }] }, 'invalid escape');
    expectInvalid({ a: [{ wildcard: 'trailing\\' }] }, 'invalid escape');
    expectInvalid({ a: [{ wildcard: 5 }] }, 'wildcard takes a string');
  });

  it.each([
    ['10.0.0.0', 'malformed CIDR'],
    ['10.0.0.0/', 'malformed CIDR'],
    ['10.0.0.0/x', 'malformed CIDR'],
    ['10.0.0.0/8/8', 'malformed CIDR'],
    ['foo/8', 'malformed CIDR'],
    ['300.0.0.0/8', 'malformed CIDR'],
    ['10.0.0.0/33', 'IPv4 mask length must be 0 to 31'],
    ['10.0.0.1/32', 'IPv4 mask length must be 0 to 31'],
    ['2001:db8::/128', 'IPv6 mask length must be 0 to 127'],
    ['2001:db8:::1/64', 'malformed CIDR'],
    ['1:2:3:4:5:6:7:8:9/64', 'malformed CIDR'],
  ])('rejects cidr %j', (cidr, fragment) => {
    expectInvalid({ ip: [{ cidr }] }, 'ip[0].cidr', fragment);
  });

  it('rejects a non-finite number', () => {
    expectInvalid({ a: [Number.POSITIVE_INFINITY] }, 'must be finite');
  });

  it('rejects malformed $or', () => {
    expectInvalid({ $or: { a: ['x'] } }, '$or', 'must be an array');
    expectInvalid({ $or: [{ a: ['x'] }] }, 'at least two');
    expectInvalid({ $or: [{ a: ['x'] }, 'b'] }, '$or[1]', 'must be a pattern object');
    expectInvalid({ $or: [{ a: ['x'] }, {}] }, '$or[1]', 'empty objects are not allowed');
  });

  it('rejects operator names used as field names inside $or', () => {
    expectInvalid({ $or: [{ numeric: [123] }, { prefix: ['abc'] }] }, '$or[0].numeric', 'reserved word');
    expectInvalid({ $or: [{ a: { prefix: ['x'] } }, { b: ['y'] }] }, '$or[0].a.prefix', 'reserved word');
  });

  it('allows operator names as field names outside $or', () => {
    expect(match({ prefix: ['abc'] }, { prefix: 'abc' })).toBe(true);
  });

  it('quotes unusual field names in the error path', () => {
    expectInvalid({ 'my field': { 'a.b': 'x' } }, '["my field"]["a.b"]');
  });
});

describe('properties', () => {
  const jsonObject = fc.dictionary(fc.string(), fc.jsonValue());

  it('an empty pattern matches every object', () => {
    fc.assert(fc.property(jsonObject, (event) => match({}, event)));
  });

  it('anything-but [x] is the negation of [x] for a string field that exists', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (excluded, actual) => {
        const event = { field: actual };
        return match({ field: [{ 'anything-but': [excluded] }] }, event) === !match({ field: [excluded] }, event);
      }),
    );
  });

  it('exists: true and exists: false disagree on every event', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const event = { field: value };
        return match({ field: [{ exists: true }] }, event) !== match({ field: [{ exists: false }] }, event);
      }),
    );
  });

  it('a numeric range agrees with plain comparison', () => {
    const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(finite, finite, finite, (a, b, value) => {
        fc.pre(a < b);
        const inRange = match({ n: [{ numeric: ['>=', a, '<', b] }] }, { n: value });
        return inRange === (a <= value && value < b);
      }),
    );
  });

  it('a wildcard without special characters is an exact match, and "prefix*" is a prefix match', () => {
    const plain = fc.string().filter((text) => !text.includes('*') && !text.includes('\\'));
    fc.assert(
      fc.property(plain, fc.string(), (text, value) => {
        const exact = match({ v: [{ wildcard: text }] }, { v: value }) === (value === text);
        const prefix = match({ v: [{ wildcard: `${text}*` }] }, { v: value }) === value.startsWith(text);
        return exact && prefix;
      }),
    );
  });

  it('equals-ignore-case agrees with comparing lower-cased ASCII strings', () => {
    const ascii = fc.string({ unit: fc.constantFrom(...'aAbBzZ09.-*'.split('')) });
    fc.assert(
      fc.property(ascii, ascii, (expected, actual) => {
        const result = match({ v: [{ 'equals-ignore-case': expected }] }, { v: actual });
        return result === (expected.toLowerCase() === actual.toLowerCase());
      }),
    );
  });

  it('the string and object forms of a pattern agree', () => {
    const fieldName = fc.string().filter((name) => name !== '$or');
    const patternValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null));
    fc.assert(
      fc.property(fc.dictionary(fieldName, fc.array(patternValue, { minLength: 1 })), jsonObject, (pattern, event) => {
        return compileEventPattern(JSON.stringify(pattern))(event) === match(pattern, event);
      }),
    );
  });
});
