import type { StackTemplate } from '../../../local/template/assembly';

import { type LocalEnvironment, TemplateResolver, UnsupportedTemplateError } from '../../../local/template/resolver';

/** `${name}` as CloudFormation writes it in Fn::Sub (built, so that it does not read as a JS template slip). */
const sub = (name: string) => `\${${name}}`;

const env: LocalEnvironment = {
  account: '000000000000',
  region: 'us-east-1',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
  apiEndpoint: (id) => `http://127.0.0.1:3000/${id}`,
  queueUrl: (name) => `http://127.0.0.1:4000/000000000000/${name}`,
};

const stateful: StackTemplate = {
  stackName: 'Stateful',
  artifactId: 'Stateful',
  assemblyDir: '/tmp',
  template: {
    Parameters: {
      Stage: { Type: 'String', Default: 'dev' },
      Boot: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/x' },
    },
    Conditions: { IsDev: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] }, IsProd: { 'Fn::Not': [{ Condition: 'IsDev' }] } },
    Mappings: { Sizes: { dev: { memory: 256 } } },
    Resources: {
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      Named: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { TableName: { 'Fn::Join': ['-', ['orders', { Ref: 'Stage' }]] } },
      },
      Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'app-bus' } },
      Queue: { Type: 'AWS::SQS::Queue' },
      Fifo: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
      OnlyProd: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' },
      Custom: { Type: 'Custom::Thing', Properties: {} },
    },
    Outputs: {
      TableName: { Value: { Ref: 'Table' }, Export: { Name: { 'Fn::Sub': `${sub('AWS::StackName')}-table` } } },
      BusArn: { Value: { 'Fn::GetAtt': ['Bus', 'Arn'] } },
    },
  },
};
const stateless: StackTemplate = {
  stackName: 'Stateless',
  artifactId: 'Stateless',
  assemblyDir: '/tmp',
  template: {
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'my-fn' } },
      Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: {} },
      Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: { ProtocolType: 'HTTP' } },
      Rule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: 'app-bus' } },
    },
  },
};

const resolver = new TemplateResolver([stateful, stateless], env);
const r = (value: unknown, stack = stateless) => resolver.resolve(stack, value, 'test');

describe('template resolution', () => {
  it('resolves pseudo parameters and parameters', () => {
    expect(r({ Ref: 'AWS::Region' })).toBe('us-east-1');
    expect(r({ Ref: 'AWS::AccountId' })).toBe('000000000000');
    expect(r({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(r({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(r({ Ref: 'AWS::StackName' })).toBe('Stateless');
    expect(r({ Ref: 'Stage' }, stateful)).toBe('dev');
  });

  it('names resources by their name property, else <StackName>-<LogicalId>', () => {
    expect(r({ Ref: 'Table' }, stateful)).toBe('Stateful-Table');
    expect(r({ Ref: 'Named' }, stateful)).toBe('orders-dev');
    expect(r({ Ref: 'Fn' })).toBe('my-fn');
    expect(r({ Ref: 'Queue' }, stateful)).toBe('http://127.0.0.1:4000/000000000000/Stateful-Queue');
    expect(r({ 'Fn::GetAtt': ['Fifo', 'QueueName'] }, stateful)).toBe('Stateful-Fifo.fifo');
  });

  it('builds ARNs in the AWS format', () => {
    expect(r({ 'Fn::GetAtt': ['Table', 'Arn'] }, stateful)).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/Stateful-Table',
    );
    expect(r({ 'Fn::GetAtt': ['Fn', 'Arn'] })).toBe('arn:aws:lambda:us-east-1:000000000000:function:my-fn');
    expect(r({ 'Fn::GetAtt': ['Queue', 'Arn'] }, stateful)).toBe('arn:aws:sqs:us-east-1:000000000000:Stateful-Queue');
    expect(r({ 'Fn::GetAtt': ['Bus', 'Arn'] }, stateful)).toBe(
      'arn:aws:events:us-east-1:000000000000:event-bus/app-bus',
    );
    expect(r({ Ref: 'Machine' })).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:Stateless-Machine');
    expect(r({ 'Fn::GetAtt': ['Rule', 'Arn'] })).toBe(
      'arn:aws:events:us-east-1:000000000000:rule/app-bus/Stateless-Rule',
    );
    expect(r({ 'Fn::GetAtt': ['Api', 'ApiEndpoint'] })).toMatch(/^http:\/\/127\.0\.0\.1:3000\/[a-z0-9]{10}$/);
  });

  it('evaluates Join, Sub (both forms), Select, Split, FindInMap, Base64', () => {
    expect(r({ 'Fn::Join': [':', ['a', { Ref: 'AWS::Region' }]] })).toBe('a:us-east-1');
    const template = `arn:${sub('AWS::Partition')}:x:${sub('AWS::Region')}:${sub('AWS::AccountId')}:${sub('Fn.Arn')}/${sub('!Literal')}`;
    expect(r({ 'Fn::Sub': template })).toBe(
      `arn:aws:x:us-east-1:000000000000:arn:aws:lambda:us-east-1:000000000000:function:my-fn/${sub('Literal')}`,
    );
    expect(r({ 'Fn::Sub': [`${sub('Name')}-${sub('Fn')}`, { Name: { 'Fn::Join': ['', ['x', 'y']] } }] })).toBe(
      'xy-my-fn',
    );
    expect(r({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(r({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'memory'] }, stateful)).toBe(256);
    expect(r({ 'Fn::Base64': 'hi' })).toBe('aGk=');
  });

  it('evaluates conditions, Fn::If and AWS::NoValue, and skips resources whose condition is false', () => {
    expect(r({ 'Fn::If': ['IsDev', 'small', 'large'] }, stateful)).toBe('small');
    expect(r({ a: { 'Fn::If': ['IsProd', 1, { Ref: 'AWS::NoValue' }] }, b: 2 }, stateful)).toEqual({ b: 2 });
    expect(resolver.resources('AWS::SQS::Queue').map((x) => x.logicalId)).toEqual(['Queue', 'Fifo']);
  });

  it('resolves cross-stack references: Fn::ImportValue and Fn::GetStackOutput (weak references)', () => {
    expect(r({ 'Fn::ImportValue': 'Stateful-table' })).toBe('Stateful-Table');
    expect(
      r({ 'Fn::GetStackOutput': { StackName: 'Stateful', OutputName: 'BusArn', Region: { Ref: 'AWS::Region' } } }),
    ).toBe('arn:aws:events:us-east-1:000000000000:event-bus/app-bus');
  });

  it('uses pinned run-time attributes (a stream ARN known only once the table exists)', () => {
    const table = resolver.resources('AWS::DynamoDB::Table')[0];
    if (!table) throw new Error('no table');
    expect(() => r({ 'Fn::GetAtt': ['Table', 'StreamArn'] }, stateful)).toThrow(/has no stream/);
    resolver.setAttribute(table, 'StreamArn', 'arn:aws:dynamodb:us-east-1:000000000000:table/Stateful-Table/stream/x');
    expect(r({ 'Fn::GetAtt': ['Table', 'StreamArn'] }, stateful)).toBe(
      'arn:aws:dynamodb:us-east-1:000000000000:table/Stateful-Table/stream/x',
    );
  });

  it('fails with a message naming the place for what it cannot resolve', () => {
    const where = 'Stateless/Fn (AWS::Lambda::Function) property Environment';
    expect(() => resolver.resolve(stateless, { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] }, where)).toThrow(
      new UnsupportedTemplateError(`Fn::Cidr is not supported by the local runtime (at ${where})`),
    );
    expect(() => r({ 'Fn::GetAtt': ['Custom', 'Value'] }, stateful)).toThrow(
      /Fn::GetAtt Custom\.Value \(Custom::Thing\) is not supported/,
    );
    expect(() => r({ Ref: 'Boot' }, stateful)).toThrow(/read from SSM/);
    expect(() => r({ Ref: 'Missing' })).toThrow(/not a resource of Stateless/);
    expect(() => r({ 'Fn::ImportValue': 'nobody-exports-this' })).toThrow(/no stack in the assembly exports it/);
  });
});
