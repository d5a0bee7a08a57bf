/**
 * The checkout saga: the state machine resource, and its definition resolved from the template (a Fn::Join) into
 * JSON, asserted state by state and by walking every path of the graph.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetryProps } from 'aws-cdk-lib/aws-stepfunctions';
import { SAGA_ERRORS } from '../../functions/shared/errors';
import { type CancelReason, cancelReasonSchema } from '../../functions/shared/events/catalog';
import { sagaActionSchema, sagaInputSchema, sagaStepPayloadSchema } from '../../functions/shared/saga/contract';
import {
  CheckoutSaga,
  type CheckoutSagaSteps,
  COMPENSATION_RETRY,
  FORWARD_RETRY,
  NO_RETRY_WHEN_CONFIRMED,
  SAGA_STATES,
  SAGA_TIMEOUT,
  TRANSIENT_ERRORS,
} from '../../lib/constructs/checkout-saga/checkout-saga';
import {
  type AslDefinition,
  type AslRetrier,
  type AslState,
  flatten,
  pointerOf,
  resourceById,
  stateMachineDefinition,
  statementsOfRole,
} from './cfn';
import { logicalIdOf, synthStage } from './synth';

const { stacks, stateless } = synthStage('dev');
const stateMachineId = logicalIdOf(stacks.stateless.saga.stateMachine);
const definition = stateMachineDefinition(stateless, stateMachineId);

const REASONS = cancelReasonSchema.enum;
const reasonState = (reason: CancelReason): string => SAGA_STATES.reason(reason);

function state(name: string, asl: AslDefinition = definition): AslState {
  const found = asl.States[name];
  if (!found) throw new Error(`No state ${name}; the definition has ${Object.keys(asl.States).join(', ')}`);
  return found;
}

/** The retrier a RetryProps produces in ASL. */
const retrier = (props: RetryProps): AslRetrier => ({
  ErrorEquals: props.errors ?? ['States.ALL'],
  IntervalSeconds: props.interval?.toSeconds(),
  MaxAttempts: props.maxAttempts,
  BackoffRate: props.backoffRate,
  MaxDelaySeconds: props.maxDelay?.toSeconds(),
  JitterStrategy: props.jitterStrategy,
});

/** The Lambda payload a task state builds (LambdaInvoke puts it in Parameters.Payload). */
const payloadOf = (name: string): Record<string, unknown> =>
  (state(name).Parameters?.Payload ?? {}) as Record<string, unknown>;

const FORWARD_STEPS: string[] = [SAGA_STATES.reserveInventory, SAGA_STATES.authorizePayment, SAGA_STATES.confirmOrder];
const COMPENSATIONS: string[] = [SAGA_STATES.voidPayment, SAGA_STATES.releaseInventory, SAGA_STATES.cancelOrder];
const LAMBDA_INVOKE = 'arn:<AWS::Partition>:states:::lambda:invoke';

describe('state machine', () => {
  test('is a STANDARD workflow with logging ALL (execution data included), tracing and a timeout', () => {
    stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [logicalIdOf(stacks.stateless.saga.logGroup), 'Arn'] },
            },
          },
        ],
      },
      TracingConfiguration: { Enabled: true },
    });
    // Longer than the worst retry budget of the forward steps and the three compensations.
    expect(definition.TimeoutSeconds).toBe(SAGA_TIMEOUT.toSeconds());
    expect(SAGA_TIMEOUT.toMinutes()).toBeGreaterThanOrEqual(15);
  });

  test('is the only state machine', () => {
    stateless.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });

  test('stays in JSONPath (the local runtime runs neither JSONata nor Assign)', () => {
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const [name, asl] of Object.entries(definition.States)) {
      expect({ name, queryLanguage: asl.QueryLanguage ?? 'JSONPath', assign: asl.Assign }).toEqual({
        name,
        queryLanguage: 'JSONPath',
        assign: undefined,
      });
    }
  });

  test('has every state of SAGA_STATES, one reason state per cancel reason, and nothing else', () => {
    const named = Object.values(SAGA_STATES).flatMap((value) => (typeof value === 'string' ? [value] : []));
    const reasons = cancelReasonSchema.options.map(reasonState);
    expect(Object.keys(definition.States).sort()).toEqual([...named, ...reasons].sort());
  });

  test('its role invokes exactly the functions the definition names', () => {
    const named = new Set(
      Object.values(definition.States)
        .map((asl) => asl.Parameters?.FunctionName)
        .filter((name): name is string => typeof name === 'string'),
    );
    const roleId = pointerOf(resourceById<{ RoleArn: unknown }>(stateless, stateMachineId).props.RoleArn)?.logicalId;
    const invocable = statementsOfRole(stateless, roleId ?? '')
      .filter((statement) => statement.Action.some((action) => action.startsWith('lambda:')))
      .flatMap((statement) => statement.Resource.map((resource) => flatten(resource).replace(/:\*$/, '')));
    expect(new Set(invocable)).toEqual(named);
    expect(named.size).toBe(FORWARD_STEPS.length + COMPENSATIONS.length);
  });
});

describe('route', () => {
  test('starts at the Choice, which sends action "cancel" into the compensations and the rest to checkout', () => {
    expect(definition.StartAt).toBe(SAGA_STATES.route);
    expect(state(SAGA_STATES.route)).toEqual({
      Type: 'Choice',
      Choices: [
        {
          Variable: '$.action',
          StringEquals: sagaActionSchema.enum.cancel,
          Next: reasonState(REASONS.CUSTOMER_REQUEST),
        },
      ],
      Default: SAGA_STATES.reserveInventory,
    });
  });
});

describe('forward steps', () => {
  const cases: [string, string, CancelReason, CancelReason, string][] = [
    [
      SAGA_STATES.reserveInventory,
      SAGA_ERRORS.outOfStock,
      'OUT_OF_STOCK',
      'SYSTEM_ERROR',
      SAGA_STATES.authorizePayment,
    ],
    [
      SAGA_STATES.authorizePayment,
      SAGA_ERRORS.paymentDeclined,
      'PAYMENT_DECLINED',
      'PAYMENT_FAILED',
      SAGA_STATES.confirmOrder,
    ],
    [
      SAGA_STATES.confirmOrder,
      SAGA_ERRORS.cancellationRequested,
      'CUSTOMER_REQUEST',
      'SYSTEM_ERROR',
      SAGA_STATES.confirmed,
    ],
  ];

  test.each(cases)('%s invokes its function and continues to the next step on success', (name, _e, _r, _o, next) => {
    const asl = state(name);
    expect(asl.Type).toBe('Task');
    expect(asl.Resource).toBe(LAMBDA_INVOKE);
    expect(asl.Next).toBe(next);
    expect(asl.TimeoutSeconds).toBeGreaterThan(0);
  });

  test.each(cases)('%s retries only transient errors, with backoff and full jitter', (name) => {
    const retry = state(name).Retry ?? [];
    expect(retry).toEqual([retrier(FORWARD_RETRY)]);
    expect(retry[0]?.ErrorEquals).toEqual(TRANSIENT_ERRORS);
    expect(retry[0]?.JitterStrategy).toBe('FULL');
    const notRetried = [
      'States.ALL',
      SAGA_ERRORS.outOfStock,
      SAGA_ERRORS.paymentDeclined,
      SAGA_ERRORS.cancellationRequested,
      SAGA_ERRORS.invariantViolation,
    ];
    for (const error of notRetried) expect(retry[0]?.ErrorEquals).not.toContain(error);
  });

  // Reserve and authorize check the customer's cancellation first: a cancelled order is never reserved or charged.
  const cancellationChecked = new Set<string>([SAGA_STATES.reserveInventory, SAGA_STATES.authorizePayment]);

  test.each(cases)(
    '%s catches %s into its reason, everything else into the fallback reason',
    (name, error, reason, fallback) => {
      expect(state(name).Catch).toEqual([
        { ErrorEquals: [error], ResultPath: '$.error', Next: reasonState(reason) },
        ...(cancellationChecked.has(name)
          ? [
              {
                ErrorEquals: [SAGA_ERRORS.cancellationRequested],
                ResultPath: '$.error',
                Next: reasonState('CUSTOMER_REQUEST'),
              },
            ]
          : []),
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: reasonState(fallback) },
      ]);
    },
  );

  test('a step whose runtime died after it may have committed is retried (every step is idempotent)', () => {
    expect(TRANSIENT_ERRORS).toEqual(expect.arrayContaining(['Runtime.ExitError', 'Lambda.Unknown']));
  });

  test('the last forward step leads to OrderConfirmed, a Succeed state', () => {
    expect(state(SAGA_STATES.confirmed)).toEqual({ Type: 'Succeed' });
  });
});

describe('reasons', () => {
  const entries: [CancelReason, string][] = [
    ['OUT_OF_STOCK', SAGA_STATES.releaseInventory],
    ['PAYMENT_DECLINED', SAGA_STATES.releaseInventory],
    ['PAYMENT_FAILED', SAGA_STATES.voidPayment],
    ['CUSTOMER_REQUEST', SAGA_STATES.voidPayment],
    ['SYSTEM_ERROR', SAGA_STATES.voidPayment],
  ];

  test('every cancel reason is covered', () => {
    expect(entries.map(([reason]) => reason).sort()).toEqual([...cancelReasonSchema.options].sort());
  });

  test.each(entries)('%s is recorded in $.reason and enters the compensations at %s', (reason, next) => {
    expect(state(reasonState(reason))).toEqual({ Type: 'Pass', Result: reason, ResultPath: '$.reason', Next: next });
  });
});

describe('compensations', () => {
  test('unwind in reverse: VoidPayment -> ReleaseInventory -> CancelOrder -> OrderCancelled', () => {
    expect(state(SAGA_STATES.voidPayment).Next).toBe(SAGA_STATES.releaseInventory);
    expect(state(SAGA_STATES.releaseInventory).Next).toBe(SAGA_STATES.cancelOrder);
    expect(state(SAGA_STATES.cancelOrder).Next).toBe(SAGA_STATES.cancelled);
    expect(state(SAGA_STATES.cancelled)).toEqual({ Type: 'Succeed' });
  });

  test.each(COMPENSATIONS)('%s retries every error with backoff and full jitter but OrderAlreadyConfirmed', (name) => {
    const asl = state(name);
    expect(asl.Type).toBe('Task');
    expect(asl.Resource).toBe(LAMBDA_INVOKE);
    expect(asl.Retry).toEqual([
      { ErrorEquals: [SAGA_ERRORS.orderAlreadyConfirmed], MaxAttempts: 0 },
      retrier(COMPENSATION_RETRY),
    ]);
    expect(NO_RETRY_WHEN_CONFIRMED.maxAttempts).toBe(0);
    expect(asl.Retry?.[1]?.ErrorEquals).toEqual(['States.ALL']);
    expect(asl.Retry?.[1]?.JitterStrategy).toBe('FULL');
  });

  test.each(COMPENSATIONS)('%s ends the saga as confirmed when the order is confirmed after all', (name) => {
    // A confirmation that committed and then reported a failure must be recognised as done, not compensated.
    expect(state(name).Catch).toEqual([
      { ErrorEquals: [SAGA_ERRORS.orderAlreadyConfirmed], ResultPath: '$.error', Next: SAGA_STATES.confirmed },
    ]);
  });

  test.each(COMPENSATIONS)('%s receives the reason', (name) => {
    expect(payloadOf(name)['reason.$']).toBe('$.reason');
  });
});

describe('step payloads', () => {
  test.each([...FORWARD_STEPS, ...COMPENSATIONS])('%s sends the fields of the step contract', (name) => {
    const fields = Object.keys(payloadOf(name)).map((key) => key.replace(/\.\$$/, ''));
    const allowed = Object.keys(sagaStepPayloadSchema.shape);
    for (const field of fields) expect(allowed).toContain(field);
    for (const required of Object.keys(sagaInputSchema.shape)) expect(fields).toContain(required);
  });
});

/** Every edge of the graph: success (Next/Default/Choices) or a caught error. */
function edges(asl: AslDefinition): { from: string; to: string; kind: 'next' | 'catch' }[] {
  return Object.entries(asl.States).flatMap(([from, s]) => [
    ...[s.Next, s.Default, ...(s.Choices ?? []).map((choice) => choice.Next)]
      .filter((to): to is string => to !== undefined)
      .map((to) => ({ from, to, kind: 'next' as const })),
    ...(s.Catch ?? []).map((catcher) => ({ from, to: catcher.Next, kind: 'catch' as const })),
  ]);
}

/** Every path from the start to a terminal state (the graph must be acyclic, or this throws). */
function paths(asl: AslDefinition): { states: string[]; successes: Set<string> }[] {
  const all = edges(asl);
  const result: { states: string[]; successes: Set<string> }[] = [];
  const walk = (at: string, states: string[], successes: Set<string>) => {
    if (states.includes(at)) throw new Error(`Cycle through ${at}: ${[...states, at].join(' -> ')}`);
    const here = [...states, at];
    const out = all.filter((edge) => edge.from === at);
    if (out.length === 0) {
      result.push({ states: here, successes });
      return;
    }
    for (const edge of out) {
      const next = edge.kind === 'next' ? new Set([...successes, `${edge.from}->${edge.to}`]) : successes;
      walk(edge.to, here, next);
    }
  };
  walk(asl.StartAt, [], new Set());
  return result;
}

describe('every path', () => {
  const all = paths(definition);

  test('ends in OrderConfirmed or OrderCancelled, and every state is on some path', () => {
    expect(all.length).toBeGreaterThan(2);
    for (const path of all) expect([SAGA_STATES.confirmed, SAGA_STATES.cancelled]).toContain(path.states.at(-1));
    expect(new Set(all.flatMap((path) => path.states))).toEqual(new Set(Object.keys(definition.States)));
  });

  test('can otherwise only stop in a failed compensation (forward steps catch everything)', () => {
    for (const [name, asl] of Object.entries(definition.States)) {
      if (asl.Type !== 'Task') continue;
      const catchesAll = (asl.Catch ?? []).some((catcher) => catcher.ErrorEquals.includes('States.ALL'));
      expect({ name, stopsOnError: !catchesAll }).toEqual({ name, stopsOnError: COMPENSATIONS.includes(name) });
    }
  });

  test('a confirmed order ran every forward step and no compensation, or a compensation found it confirmed', () => {
    const confirmed = all.filter((path) => path.states.at(-1) === SAGA_STATES.confirmed);
    const direct = confirmed.filter((path) => !COMPENSATIONS.some((step) => path.states.includes(step)));
    expect(direct).toHaveLength(1);
    for (const step of FORWARD_STEPS) expect(direct[0]?.states).toContain(step);
    for (const path of confirmed.filter((p) => !direct.includes(p))) {
      // It left the compensations through OrderAlreadyConfirmed, before undoing anything that step guards.
      const last = path.states.at(-2) ?? '';
      expect(COMPENSATIONS).toContain(last);
      expect(state(last).Catch?.find((c) => c.Next === SAGA_STATES.confirmed)?.ErrorEquals).toEqual([
        SAGA_ERRORS.orderAlreadyConfirmed,
      ]);
    }
  });

  test('a cancelled order is cancelled with a reason and undoes every forward step that succeeded', () => {
    const cancelled = all.filter((path) => path.states.at(-1) === SAGA_STATES.cancelled);
    expect(cancelled.length).toBeGreaterThan(0);
    const reserved = `${SAGA_STATES.reserveInventory}->${SAGA_STATES.authorizePayment}`;
    const authorized = `${SAGA_STATES.authorizePayment}->${SAGA_STATES.confirmOrder}`;
    for (const path of cancelled) {
      const trail = path.states.join(' -> ');
      expect({ trail, cancelOrder: path.states.includes(SAGA_STATES.cancelOrder) }).toEqual({
        trail,
        cancelOrder: true,
      });
      const reasons = cancelReasonSchema.options.filter((reason) => path.states.includes(reasonState(reason)));
      expect({ trail, reasons: reasons.length }).toEqual({ trail, reasons: 1 });
      if (path.successes.has(reserved)) {
        expect({ trail, releases: path.states.includes(SAGA_STATES.releaseInventory) }).toEqual({
          trail,
          releases: true,
        });
      }
      if (path.successes.has(authorized)) {
        expect({ trail, voids: path.states.includes(SAGA_STATES.voidPayment) }).toEqual({ trail, voids: true });
      }
    }
  });

  test('nothing is charged after OUT_OF_STOCK or a declined payment: those paths skip VoidPayment', () => {
    for (const reason of ['OUT_OF_STOCK', 'PAYMENT_DECLINED'] as const) {
      const through = all.filter((path) => path.states.includes(reasonState(reason)));
      expect(through.length).toBeGreaterThan(0);
      for (const path of through) expect(path.states).not.toContain(SAGA_STATES.voidPayment);
    }
  });

  test('a customer cancellation (action "cancel") runs every compensation', () => {
    const viaRoute = all.filter(
      (path) => path.states[1] === reasonState('CUSTOMER_REQUEST') && path.states.at(-1) === SAGA_STATES.cancelled,
    );
    expect(viaRoute).toHaveLength(1);
    expect(viaRoute[0]?.states).toEqual([
      SAGA_STATES.route,
      reasonState('CUSTOMER_REQUEST'),
      ...COMPENSATIONS,
      SAGA_STATES.cancelled,
    ]);
  });
});

describe('wiring of the steps', () => {
  // The construct on its own, handed six distinct functions: each state must invoke the function of its own step.
  const stack = new Stack();
  const fn = (name: keyof CheckoutSagaSteps) =>
    LambdaFunction.fromFunctionArn(stack, name, `arn:aws:lambda:eu-west-1:123456789012:function:${name}`);
  const saga = new CheckoutSaga(stack, 'Saga', {
    steps: {
      reserveInventory: fn('reserveInventory'),
      authorizePayment: fn('authorizePayment'),
      confirmOrder: fn('confirmOrder'),
      voidPayment: fn('voidPayment'),
      releaseInventory: fn('releaseInventory'),
      cancelOrder: fn('cancelOrder'),
    },
  });
  const template = Template.fromStack(stack);
  const asl = stateMachineDefinition(template, logicalIdOf(saga.stateMachine));
  const keys: (keyof CheckoutSagaSteps & keyof typeof SAGA_STATES)[] = [
    'reserveInventory',
    'authorizePayment',
    'confirmOrder',
    'voidPayment',
    'releaseInventory',
    'cancelOrder',
  ];

  test.each(keys)('state %s invokes the %s step', (key) => {
    expect(state(SAGA_STATES[key], asl).Parameters?.FunctionName).toBe(
      `arn:aws:lambda:eu-west-1:123456789012:function:${key}`,
    );
  });

  test('in the app, each step is a distinct function of the domain that owns it', () => {
    const domainOf: Record<string, string> = {
      [SAGA_STATES.reserveInventory]: 'inventory',
      [SAGA_STATES.releaseInventory]: 'inventory',
      [SAGA_STATES.authorizePayment]: 'payments',
      [SAGA_STATES.voidPayment]: 'payments',
      [SAGA_STATES.confirmOrder]: 'orders',
      [SAGA_STATES.cancelOrder]: 'orders',
    };
    const functions = Object.entries(domainOf).map(([name, domain]) => {
      const functionName = state(name).Parameters?.FunctionName;
      const id = /^<(.+)\.Arn>$/.exec(String(functionName))?.[1] ?? '';
      const variables = resourceById<{ Environment: { Variables: Record<string, unknown> } }>(stateless, id).props
        .Environment.Variables;
      expect({ name, domain: variables.POWERTOOLS_SERVICE_NAME }).toEqual({ name, domain });
      return id;
    });
    expect(new Set(functions).size).toBe(functions.length);
  });
});
