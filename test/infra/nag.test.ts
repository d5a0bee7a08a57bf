/**
 * cdk-nag AwsSolutions on both stacks of two stages: no finding is left unacknowledged, and every acknowledgement (in
 * lib/nag-suppressions.ts) sits on the resource that causes it, with a reason.
 *
 * cdk-nag 3 is a CDK validation plugin: it reports through the synthesis validation report (synth fails on an error)
 * and through `validateScope`, no longer through annotations, and it honours `Validations.of(x).acknowledge`.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStage } from './synth';

/** The rules the platform acknowledges somewhere; a new kind of exception must be added here on purpose. */
const ACKNOWLEDGED_RULES = [
  'AwsSolutions-IAM4',
  'AwsSolutions-IAM5',
  'AwsSolutions-L1',
  'AwsSolutions-SQS3',
  'AwsSolutions-APIG4',
];

describe.each(['dev', 'prod'])('stage %s', (stageName) => {
  // CDK's built-in CloudFormation validation runs here too (cdk.json turns its findings into errors).
  const { app, stacks } = buildStage({ stage: stageName }, { cfnValidation: true });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let synthError: string | undefined;
  try {
    app.synth();
  } catch (error) {
    synthError = error instanceof Error ? error.message : String(error);
  }

  test('synthesizes with AwsSolutions and the CloudFormation validation registered, as `cdk synth` would', () => {
    expect(synthError).toBeUndefined();
  });

  test.each(['stateful', 'stateless'] as const)('the %s stack has no unacknowledged error or warning', (which) => {
    const stack = stacks[which];
    const findings = new AwsSolutionsChecks()
      .validateScope(stack)
      .violations.filter((violation) => violation.severity === 'error' || violation.severity === 'warning')
      .flatMap((violation) =>
        violation.violatingResources.map(
          (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}`,
        ),
      );
    expect(findings).toEqual([]);
    // cdk-nag 2 reported through annotations: none may appear there either.
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  test('acknowledges findings on the constructs that cause them, never on a stack, each with a reason', () => {
    const acknowledgements = app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            path: construct.node.path,
            scope: Stack.isStack(construct) || App.isApp(construct) ? 'stack-wide' : 'resource',
            rule: id.replace(/^annotation::/i, '').replace(/\[.*$/, ''),
            reason,
          })),
        ),
    );
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { path, scope, rule, reason } of acknowledgements) {
      expect({ path, rule, scope }).toEqual({ path, rule, scope: 'resource' });
      expect(ACKNOWLEDGED_RULES).toContain(rule);
      expect(reason.length).toBeGreaterThan(60);
    }
  });
});
