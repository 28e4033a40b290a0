import { AssertionError } from 'node:assert';
import { SagaStatus } from '@pd/advanced/saga';
import { sagaSpec } from '@pd/testing';
import { describe, expect, it } from 'vitest';
import {
  ApprovalGranted,
  ChargePayment,
  Checkout,
  NotifyCustomer,
  OrderPlaced,
  PaymentCharged,
  PaymentDeclined,
  ReleaseStock,
  ReserveStock,
  SAGA_COMMANDS,
  ShipOrder,
} from '../__fixtures__/bank.js';

const options = { commandTypes: SAGA_COMMANDS };
const placed = new OrderPlaced({ orderId: 'o-1', amount: 5 });

describe('sagaSpec', () => {
  it('starts a saga: commands sent, status and step', async () => {
    const spec = sagaSpec(Checkout, options).when(placed);
    await spec.thenCommands([new ChargePayment({ orderId: 'o-1', amount: 5 })]);
    await spec.thenStatus(SagaStatus.RUNNING);
    const { state } = await spec.thenState({ currentStep: 'charging' });
    expect(state.compensationStack.map((c) => c.commandType)).toEqual(['ReleaseStock']);
  });

  it('only asserts what the when event caused, after the given history', async () => {
    await sagaSpec(Checkout, options)
      .given([placed, new PaymentCharged({ orderId: 'o-1' })])
      .when(new ApprovalGranted({ orderId: 'o-1' }))
      .thenCommands([new ShipOrder({ orderId: 'o-1' })]);
  });

  it('shows compensation: the failing step command, then the compensations, and the final status', async () => {
    const spec = sagaSpec(Checkout, options)
      .given([placed])
      .when(new PaymentDeclined({ orderId: 'o-1', reason: 'card expired' }));
    await spec.thenCommands([
      new NotifyCustomer({ orderId: 'o-1', message: 'card expired' }),
      new ReleaseStock({ orderId: 'o-1' }),
    ]);
    await spec.thenCompensations([new ReleaseStock({ orderId: 'o-1' })]);
    await spec.thenStatus(SagaStatus.COMPENSATED);
    await spec.thenState({ error: 'declined: card expired' });
  });

  it('lets a suspension time out by the spec clock', async () => {
    const spec = sagaSpec(Checkout, options)
      .given([placed, new PaymentCharged({ orderId: 'o-1' })])
      .whenTimeout();
    await spec.thenStatus(SagaStatus.COMPENSATED);
    await spec.thenCompensations([new ReleaseStock({ orderId: 'o-1' })]);
    const early = sagaSpec(Checkout, options)
      .given([placed, new PaymentCharged({ orderId: 'o-1' })])
      .whenTimeout(59_999);
    await early.thenStatus(SagaStatus.SUSPENDED);
    await early.thenCommands([]);
  });

  it('feeds back the events that sent commands committed (onCommand)', async () => {
    await sagaSpec(Checkout, {
      ...options,
      onCommand: (command) =>
        command instanceof ChargePayment ? [new PaymentCharged({ orderId: command.orderId })] : [],
    })
      .when(placed)
      .thenCommands([
        new ChargePayment({ orderId: 'o-1', amount: 5 }),
        new ReserveStock({ orderId: 'o-1' }),
      ]);
  });

  it('fails readably', async () => {
    const status = await sagaSpec(Checkout, options)
      .when(placed)
      .thenStatus(SagaStatus.COMPLETED)
      .catch((e: unknown) => e);
    expect(status).toBeInstanceOf(AssertionError);
    expect((status as Error).message).toBe(
      'sagaSpec(Checkout).thenStatus: the saga is RUNNING, expected COMPLETED',
    );
    const commands = await sagaSpec(Checkout, options)
      .when(placed)
      .thenCommands([new ChargePayment({ orderId: 'o-1', amount: 6 })])
      .catch((e: unknown) => e);
    expect((commands as Error).message).toContain('1. ChargePayment {"amount":5,"orderId":"o-1"}');
    const timeout = await sagaSpec(Checkout, options)
      .when(placed)
      .thenStatus(SagaStatus.RUNNING)
      .then(() => sagaSpec(Checkout, options).given([placed]).whenTimeout().thenCommands([]))
      .catch((e: unknown) => e);
    expect((timeout as Error).message).toContain('the saga is not suspended with a timeout');
  });
});
