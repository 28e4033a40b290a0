import { z } from 'zod';

/**
 * One handled event in a saga's history: the step the saga was at after handling it, the event's
 * type name, the event id (causation) and when it was recorded.
 */
export interface StepRecord {
  readonly stepName: string;
  readonly eventType: string;
  readonly causationId: string | null;
  readonly occurredAt: Date;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/**
 * A compensation waiting on the saga's stack: the command's stable type name, its JSON form
 * (`command.toJSON()`, command id and tracing included, so a re-sent compensation keeps its
 * identity) and a human description. No module path or class name is stored: the command is
 * rebuilt through a `CommandTypeRegistry`, so renaming or moving a class breaks nothing.
 */
export interface CompensationRecord {
  readonly commandType: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly description: string;
}

/**
 * An outgoing forward command logged before it is sent (the recovery checkpoint). `dispatched`
 * turns true once the dispatcher accepted it; recovery re-sends the entries still false.
 */
export interface PendingCommand {
  readonly commandType: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly dispatched: boolean;
}

/** A compensation that could not be rebuilt or sent, kept for audit and manual repair. */
export interface FailedCompensation {
  readonly commandType: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly error: string;
  readonly failedAt: Date;
}

const jsonObject = z.record(z.string(), z.unknown());
const date = z.coerce.date().refine((d) => !Number.isNaN(d.getTime()), 'invalid date');

/** @internal JSON schemas of the records, shared by `SagaState.fromJSON`. */
export const recordSchemas = {
  date,
  jsonObject,
  step: z.object({
    stepName: z.string(),
    eventType: z.string(),
    causationId: z.string().nullable().default(null),
    occurredAt: date,
    metadata: jsonObject.default({}),
  }),
  compensation: z.object({
    commandType: z.string().min(1),
    data: jsonObject,
    description: z.string().default(''),
  }),
  pending: z.object({
    commandType: z.string().min(1),
    data: jsonObject,
    dispatched: z.boolean().default(false),
  }),
  failedCompensation: z.object({
    commandType: z.string(),
    data: jsonObject,
    error: z.string(),
    failedAt: date,
  }),
};
