import { AggregateRootBase, type Clock, domainDefaults, ValidationError } from '@pd/ddd';
import { z } from 'zod';
import { SagaStateError } from './sagaErrors.js';
import type { SagaPruningPolicy } from './sagaPruningPolicy.js';
import {
  type CompensationRecord,
  type FailedCompensation,
  type PendingCommand,
  recordSchemas,
  type StepRecord,
} from './sagaRecords.js';
import type { FinishedSagaCutoffs } from './sagaRetentionPolicy.js';
import { isTerminalStatus, SAGA_STATUSES, SagaStatus } from './sagaStatus.js';

/**
 * Non-serialised settings of a state: where "now" comes from and the history limits. The
 * `SagaManager` sets them from the saga class each time it loads a state.
 */
export interface SagaStateOptions {
  /** Default: the domain defaults' clock. */
  readonly clock?: Clock;
  /** Processed event ids kept (oldest evicted first); 0 = unlimited (default). */
  readonly maxProcessedEvents?: number;
  /** Steps kept in `stepHistory` (newest kept); 0 = unlimited (default). */
  readonly maxStepHistory?: number;
  /** Evaluated after each recorded step. Default: none. */
  readonly pruningPolicy?: SagaPruningPolicy | null;
}

/** What a new saga state is made from. */
export interface SagaStateInit<TData extends object> {
  /** Default: a new id from the domain defaults' generator (UUIDv7). */
  readonly id?: string;
  readonly sagaType: string;
  readonly correlationId: string;
  readonly causationId?: string | null;
  /** Recovery retries allowed after a failed dispatch (default 3). */
  readonly maxRetries?: number;
  readonly data?: TData;
  readonly metadata?: Record<string, unknown>;
}

/** The storage form of a {@link SagaState}: JSON values only (dates as ISO strings). */
export interface SagaStateJSON {
  readonly id: string;
  readonly version: number;
  readonly sagaType: string;
  readonly status: SagaStatus;
  readonly currentStep: string;
  readonly stepHistory: readonly {
    stepName: string;
    eventType: string;
    causationId: string | null;
    occurredAt: string;
    metadata: Record<string, unknown>;
  }[];
  /** Oldest first. */
  readonly processedEventIds: readonly string[];
  readonly pendingCommands: readonly PendingCommand[];
  /** Bottom first: the last entry is compensated first. */
  readonly compensationStack: readonly CompensationRecord[];
  readonly failedCompensations: readonly {
    commandType: string;
    data: Record<string, unknown>;
    error: string;
    failedAt: string;
  }[];
  readonly suspendedAt: string | null;
  readonly suspensionReason: string | null;
  readonly timeoutAt: string | null;
  readonly retryCount: number;
  readonly maxRetries: number;
  readonly error: string | null;
  /** Set while the saga is suspended by a failed dispatch: the status recovery returns it to. */
  readonly previousStatus: SagaStatus | null;
  readonly completedAt: string | null;
  readonly failedAt: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly metadata: Record<string, unknown>;
  readonly data: Record<string, unknown>;
}

const { date, jsonObject } = recordSchemas;
const status = z.enum(SAGA_STATUSES as [SagaStatus, ...SagaStatus[]]);
const count = z.number().int().nonnegative();

const stateSchema = z.object({
  id: z.string().min(1),
  version: count.default(0),
  sagaType: z.string().min(1),
  status: status.default(SagaStatus.PENDING),
  currentStep: z.string().default('init'),
  stepHistory: z.array(recordSchemas.step).default([]),
  processedEventIds: z.array(z.string()).default([]),
  pendingCommands: z.array(recordSchemas.pending).default([]),
  compensationStack: z.array(recordSchemas.compensation).default([]),
  failedCompensations: z.array(recordSchemas.failedCompensation).default([]),
  suspendedAt: date.nullable().default(null),
  suspensionReason: z.string().nullable().default(null),
  timeoutAt: date.nullable().default(null),
  retryCount: count.default(0),
  maxRetries: count.default(3),
  error: z.string().nullable().default(null),
  previousStatus: status.nullable().default(null),
  completedAt: date.nullable().default(null),
  failedAt: date.nullable().default(null),
  correlationId: z.string().min(1),
  causationId: z.string().nullable().default(null),
  createdAt: date,
  updatedAt: date,
  metadata: jsonObject.default({}),
  data: jsonObject.default({}),
});

type Props = Omit<z.output<typeof stateSchema>, 'id' | 'version' | 'processedEventIds'>;

/** @internal Restores a state to a snapshot taken with `toJSON()` (used to undo a failed handler). */
export const RESTORE: unique symbol = Symbol('@pd/advanced.saga.restore');

const ACTIVE: readonly SagaStatus[] = [
  SagaStatus.PENDING,
  SagaStatus.RUNNING,
  SagaStatus.SUSPENDED,
];

function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The persistent state of one saga instance: an aggregate root (id, version, equality by id) with
 * its status, step history, compensation stack, pending commands, processed event ids, suspension
 * and retry bookkeeping, plus the saga's own `data`.
 *
 * `version` is the *stored* version: a repository compares it with what it holds and bumps it on
 * a successful save, so a stale copy is rejected with `ConcurrencyError`. Mutating methods only
 * touch `updatedAt`.
 *
 * Every status change is guarded: an illegal transition (completing a FAILED saga, suspending a
 * COMPLETED one, resuming a running one) throws {@link SagaStateError} and changes nothing.
 *
 * @example
 * const state = SagaState.create({ sagaType: 'OrderFulfilment', correlationId: orderId }, { clock });
 * state.markRunning();
 * state.recordStep('charging', 'OrderPlaced', { causationId: event.eventId });
 * const json = state.toJSON(); // store it; SagaState.fromJSON(json) reads it back
 */
export class SagaState<
  TData extends object = Record<string, unknown>,
> extends AggregateRootBase<string> {
  static override readonly typeName: string = 'SagaState';

  #p!: Props;
  #processed = new Set<string>();
  #options: SagaStateOptions;

  private constructor(parsed: z.output<typeof stateSchema>, options: SagaStateOptions) {
    super();
    this.#options = options;
    this.#load(parsed);
  }

  /** A new PENDING state stamped with the clock's "now". */
  static create<TData extends object = Record<string, unknown>>(
    init: SagaStateInit<TData>,
    options: SagaStateOptions = {},
  ): SagaState<TData> {
    const now = (options.clock ?? domainDefaults().clock).now();
    return SagaState.#parse<TData>(
      {
        id: init.id ?? domainDefaults().idGenerator.generate(),
        sagaType: init.sagaType,
        correlationId: init.correlationId,
        causationId: init.causationId ?? null,
        maxRetries: init.maxRetries ?? 3,
        data: init.data === undefined ? {} : jsonCopy(init.data),
        metadata: init.metadata === undefined ? {} : jsonCopy(init.metadata),
        createdAt: now,
        updatedAt: now,
      },
      options,
    );
  }

  /**
   * Rebuilds a state from its JSON form (what {@link toJSON} produced, possibly after a round
   * trip through a database). Validates everything and throws `ValidationError` naming the field.
   */
  static fromJSON<TData extends object = Record<string, unknown>>(
    json: unknown,
    options: SagaStateOptions = {},
  ): SagaState<TData> {
    return SagaState.#parse<TData>(json, options);
  }

  static #parse<TData extends object>(input: unknown, options: SagaStateOptions): SagaState<TData> {
    const result = stateSchema.safeParse(input);
    if (!result.success) throw ValidationError.fromZod('SagaState', result.error);
    return new SagaState<TData>(result.data, options);
  }

  #load(parsed: z.output<typeof stateSchema>): void {
    const { id, version, processedEventIds, ...props } = parsed;
    Object.assign(this, { id, version });
    this.#p = props;
    this.#processed = new Set(processedEventIds);
  }

  /** @internal */
  [RESTORE](snapshot: SagaStateJSON): void {
    const result = stateSchema.parse(snapshot);
    this.#load({ ...result, version: this.version });
  }

  /** Replaces the non-serialised settings (clock, limits, pruning policy). Returns `this`. */
  configure(options: SagaStateOptions): this {
    this.#options = { ...this.#options, ...options };
    return this;
  }

  /** The clock this state stamps its times with. */
  get clock(): Clock {
    return this.#options.clock ?? domainDefaults().clock;
  }

  get sagaType(): string {
    return this.#p.sagaType;
  }
  get status(): SagaStatus {
    return this.#p.status;
  }
  get currentStep(): string {
    return this.#p.currentStep;
  }
  get stepHistory(): readonly StepRecord[] {
    return this.#p.stepHistory;
  }
  /** Processed event ids, oldest first. */
  get processedEventIds(): readonly string[] {
    return [...this.#processed];
  }
  get pendingCommands(): readonly PendingCommand[] {
    return this.#p.pendingCommands;
  }
  /** Bottom first: the last entry is compensated first. */
  get compensationStack(): readonly CompensationRecord[] {
    return this.#p.compensationStack;
  }
  get failedCompensations(): readonly FailedCompensation[] {
    return this.#p.failedCompensations;
  }
  get suspendedAt(): Date | null {
    return this.#p.suspendedAt;
  }
  get suspensionReason(): string | null {
    return this.#p.suspensionReason;
  }
  get timeoutAt(): Date | null {
    return this.#p.timeoutAt;
  }
  get retryCount(): number {
    return this.#p.retryCount;
  }
  get maxRetries(): number {
    return this.#p.maxRetries;
  }
  get error(): string | null {
    return this.#p.error;
  }
  /** The status a dispatch failure suspended the saga from; `null` otherwise. */
  get previousStatus(): SagaStatus | null {
    return this.#p.previousStatus;
  }
  get completedAt(): Date | null {
    return this.#p.completedAt;
  }
  get failedAt(): Date | null {
    return this.#p.failedAt;
  }
  get correlationId(): string {
    return this.#p.correlationId;
  }
  get causationId(): string | null {
    return this.#p.causationId;
  }
  get createdAt(): Date {
    return this.#p.createdAt;
  }
  get updatedAt(): Date {
    return this.#p.updatedAt;
  }
  get metadata(): Readonly<Record<string, unknown>> {
    return this.#p.metadata;
  }
  /** The saga's own data (validated by the saga class's `dataSchema` when it has one). */
  get data(): Readonly<TData> {
    return this.#p.data as TData;
  }

  /** COMPLETED, FAILED or COMPENSATED. */
  get isTerminal(): boolean {
    return isTerminalStatus(this.#p.status);
  }

  /** Suspended by a failed dispatch (not by the saga itself); recovery will restore `previousStatus`. */
  get isDispatchSuspended(): boolean {
    return this.#p.status === SagaStatus.SUSPENDED && this.#p.previousStatus !== null;
  }

  /** Has commands that were logged but not sent, or compensations still to send: recovery's work list. */
  get isStalled(): boolean {
    return (
      this.#p.status === SagaStatus.COMPENSATING ||
      this.#p.pendingCommands.some((c) => !c.dispatched)
    );
  }

  /**
   * Done for good: terminal (COMPLETED, FAILED, COMPENSATED) and owing no command. Only a finished
   * saga may be removed by a retention policy.
   */
  get isFinished(): boolean {
    return this.isTerminal && !this.isStalled;
  }

  /**
   * Finished, and its last change (`updatedAt`) lies strictly before the cutoff of its status (no
   * cutoff for its status: kept). What `SagaRepository.findFinished` selects.
   */
  isDueForRemoval(cutoffs: FinishedSagaCutoffs): boolean {
    const status = this.#p.status;
    if (!isTerminalStatus(status) || !this.isFinished) return false;
    const cutoff = cutoffs[status];
    return cutoff !== undefined && this.#p.updatedAt.getTime() < cutoff.getTime();
  }

  /** SUSPENDED with a timeout at or before `now`. A suspension without timeout never expires. */
  isExpired(now: Date): boolean {
    const at = this.#p.timeoutAt;
    return this.#p.status === SagaStatus.SUSPENDED && at !== null && at.getTime() <= now.getTime();
  }

  isEventProcessed(eventId: string): boolean {
    return this.#processed.has(eventId);
  }

  /**
   * Remembers an event id. Ids are kept in arrival order; when `maxProcessedEvents` is set the
   * oldest are evicted first, so the most recent events are always recognised as duplicates.
   */
  markEventProcessed(eventId: string): void {
    this.#processed.add(eventId);
    const max = this.#options.maxProcessedEvents ?? 0;
    if (max > 0) this.#keepNewestProcessed(max);
    this.touch();
  }

  #keepNewestProcessed(keep: number): void {
    // A Set iterates in insertion order, so the first ids met are the oldest.
    for (const id of this.#processed) {
      if (this.#processed.size <= keep) break;
      this.#processed.delete(id);
    }
  }

  /**
   * Appends a step and makes it current; trims the history to `maxStepHistory` (newest kept);
   * then asks the pruning policy.
   */
  recordStep(
    stepName: string,
    eventType: string,
    options: { causationId?: string | null; metadata?: Record<string, unknown> } = {},
  ): void {
    this.#p.currentStep = stepName;
    this.#p.stepHistory = [
      ...this.#p.stepHistory,
      Object.freeze({
        stepName,
        eventType,
        causationId: options.causationId ?? null,
        occurredAt: this.clock.now(),
        metadata: Object.freeze(jsonCopy(options.metadata ?? {})),
      }),
    ];
    const max = this.#options.maxStepHistory ?? 0;
    if (max > 0 && this.#p.stepHistory.length > max)
      this.#p.stepHistory = this.#p.stepHistory.slice(-max);
    const policy = this.#options.pruningPolicy;
    if (policy?.shouldPrune(this.#p.sagaType, this)) {
      this.pruneHistory({
        keepLastNSteps: policy.keepLastNSteps,
        keepLastNEvents: policy.keepLastNEvents,
      });
    }
    this.touch();
  }

  /**
   * Trims the step history and/or the processed event ids. `undefined`, `null` or a negative
   * number leaves that collection alone; `0` clears it; `n` keeps the newest n.
   */
  pruneHistory(
    options: { keepLastNSteps?: number | null; keepLastNEvents?: number | null } = {},
  ): void {
    const steps = options.keepLastNSteps;
    if (steps !== undefined && steps !== null && steps >= 0) {
      this.#p.stepHistory = steps === 0 ? [] : this.#p.stepHistory.slice(-steps);
    }
    const events = options.keepLastNEvents;
    if (events !== undefined && events !== null && events >= 0) this.#keepNewestProcessed(events);
    this.touch();
  }

  /** Makes `step` current without recording history (the DSL's `step:` option). */
  setCurrentStep(step: string): void {
    this.#p.currentStep = step;
    this.touch();
  }

  /** The event (or other message) that caused the latest change. */
  setCausationId(causationId: string | null): void {
    this.#p.causationId = causationId;
  }

  /** Replaces the saga's data (validate it first; `Saga.updateData` does). */
  setData(data: TData): void {
    this.#p.data = jsonCopy(data) as Record<string, unknown>;
    this.touch();
  }

  /** Merges free-form metadata. */
  setMetadata(metadata: Record<string, unknown>): void {
    this.#p.metadata = { ...this.#p.metadata, ...jsonCopy(metadata) };
    this.touch();
  }

  /** Sets `updatedAt` to now. */
  touch(): void {
    this.#p.updatedAt = this.clock.now();
  }

  #guard(allowed: readonly SagaStatus[], transition: string): void {
    if (!allowed.includes(this.#p.status))
      throw new SagaStateError(this.id, this.#p.status, transition);
  }

  #clearSuspension(): void {
    this.#p.suspendedAt = null;
    this.#p.suspensionReason = null;
    this.#p.timeoutAt = null;
    this.#p.previousStatus = null;
  }

  /** PENDING → RUNNING. */
  markRunning(): void {
    this.#guard([SagaStatus.PENDING], 'start running');
    this.#p.status = SagaStatus.RUNNING;
    this.touch();
  }

  /** PENDING, RUNNING or SUSPENDED → COMPLETED. Clears the compensation stack (nothing to undo). */
  complete(): void {
    this.#guard(ACTIVE, 'complete');
    this.#p.status = SagaStatus.COMPLETED;
    this.#p.completedAt = this.clock.now();
    this.#p.compensationStack = [];
    this.#clearSuspension();
    this.touch();
  }

  /** PENDING, RUNNING or SUSPENDED → FAILED, without compensating. */
  fail(reason: string): void {
    this.#guard(ACTIVE, 'fail');
    this.#p.status = SagaStatus.FAILED;
    this.#p.error = reason;
    this.#p.failedAt = this.clock.now();
    this.#clearSuspension();
    this.touch();
  }

  /** PENDING, RUNNING or SUSPENDED → COMPENSATING: the saga failed and its stack will be unwound. */
  startCompensation(reason: string): void {
    this.#guard(ACTIVE, 'start compensating');
    this.#p.status = SagaStatus.COMPENSATING;
    this.#p.error = reason;
    this.#p.failedAt = this.clock.now();
    this.#clearSuspension();
    this.touch();
  }

  /** COMPENSATING → COMPENSATED, or FAILED when some compensation could not be sent. */
  finishCompensation(): void {
    this.#guard([SagaStatus.COMPENSATING], 'finish compensating');
    this.#p.status =
      this.#p.failedCompensations.length > 0 ? SagaStatus.FAILED : SagaStatus.COMPENSATED;
    this.touch();
  }

  /** PENDING, RUNNING or SUSPENDED → SUSPENDED until resumed or until `timeoutAt` (`null`: never). */
  suspend(reason: string, timeoutAt: Date | null): void {
    this.#guard(ACTIVE, 'suspend');
    this.#p.status = SagaStatus.SUSPENDED;
    this.#p.suspendedAt = this.clock.now();
    this.#p.suspensionReason = reason;
    this.#p.timeoutAt = timeoutAt;
    this.#p.previousStatus = null;
    this.touch();
  }

  /** SUSPENDED → RUNNING; clears the suspension. */
  resume(): void {
    this.#guard([SagaStatus.SUSPENDED], 'resume');
    this.#p.status = SagaStatus.RUNNING;
    this.#clearSuspension();
    this.touch();
  }

  /**
   * PENDING or RUNNING → SUSPENDED because a command could not be sent; remembers the status so
   * recovery (or the next event) puts it back. No timeout: recovery resolves it.
   */
  suspendForDispatchFailure(reason: string): void {
    if (this.isDispatchSuspended) {
      this.#p.suspensionReason = reason;
      this.touch();
      return;
    }
    this.#guard([SagaStatus.PENDING, SagaStatus.RUNNING], 'suspend after a failed dispatch');
    const previous = this.#p.status;
    this.#p.status = SagaStatus.SUSPENDED;
    this.#p.suspendedAt = this.clock.now();
    this.#p.suspensionReason = reason;
    this.#p.timeoutAt = null;
    this.#p.previousStatus = previous;
    this.touch();
  }

  /** Ends a dispatch-failure suspension: back to `previousStatus`. No-op otherwise. */
  restorePreviousStatus(): void {
    const previous = this.#p.previousStatus;
    if (!this.isDispatchSuspended || previous === null) return;
    this.#p.status = previous;
    this.#clearSuspension();
    this.touch();
  }

  /** Pushes a compensation on the stack. Refused once the saga is compensating or terminal. */
  pushCompensation(record: CompensationRecord): void {
    this.#guard(ACTIVE, 'add a compensation');
    this.#p.compensationStack = [...this.#p.compensationStack, Object.freeze(jsonCopy(record))];
    this.touch();
  }

  /** Pops the newest compensation (LIFO). */
  popCompensation(): CompensationRecord | undefined {
    const stack = this.#p.compensationStack;
    const top = stack[stack.length - 1];
    if (top !== undefined) {
      this.#p.compensationStack = stack.slice(0, -1);
      this.touch();
    }
    return top;
  }

  /** Keeps a compensation that could not be rebuilt or sent, for audit and manual repair. */
  recordFailedCompensation(record: {
    commandType: string;
    data: Readonly<Record<string, unknown>>;
    error: string;
  }): void {
    this.#p.failedCompensations = [
      ...this.#p.failedCompensations,
      Object.freeze({ ...jsonCopy(record), failedAt: this.clock.now() }),
    ];
    this.touch();
  }

  /** Logs commands about to be sent (`dispatched: false`): the recovery checkpoint. */
  addPendingCommands(
    commands: readonly { commandType: string; data: Readonly<Record<string, unknown>> }[],
  ): void {
    if (commands.length === 0) return;
    this.#p.pendingCommands = [
      ...this.#p.pendingCommands,
      ...commands.map((c) =>
        Object.freeze({ commandType: c.commandType, data: jsonCopy(c.data), dispatched: false }),
      ),
    ];
    this.touch();
  }

  /** Flags the pending entries with these command ids as sent. */
  markDispatched(commandIds: readonly string[]): void {
    if (commandIds.length === 0) return;
    const ids = new Set(commandIds);
    this.#p.pendingCommands = this.#p.pendingCommands.map((c) =>
      !c.dispatched && ids.has(String(c.data.commandId))
        ? Object.freeze({ ...c, dispatched: true })
        : c,
    );
    this.touch();
  }

  /** Forgets the pending entries that were sent. */
  removeDispatched(): void {
    this.#p.pendingCommands = this.#p.pendingCommands.filter((c) => !c.dispatched);
    this.touch();
  }

  /** Removes and returns the entries never sent (the saga gave up on them). */
  dropUndispatched(): PendingCommand[] {
    const dropped = this.#p.pendingCommands.filter((c) => !c.dispatched);
    this.#p.pendingCommands = this.#p.pendingCommands.filter((c) => c.dispatched);
    this.touch();
    return dropped;
  }

  /** Counts one failed dispatch attempt and keeps its reason in `error`. */
  recordDispatchFailure(reason: string): void {
    this.#p.retryCount += 1;
    this.#p.error = reason;
    this.touch();
  }

  /** True once the failed attempts exceed `maxRetries` (the first attempt plus `maxRetries` retries). */
  get retriesExhausted(): boolean {
    return this.#p.retryCount > this.#p.maxRetries;
  }

  /**
   * After every pending command went out: resets the retry count, ends a dispatch-failure
   * suspension and clears the dispatch error (unless the saga failed for real).
   */
  markRecovered(): void {
    this.#p.retryCount = 0;
    this.restorePreviousStatus();
    const failed: readonly SagaStatus[] = [
      SagaStatus.FAILED,
      SagaStatus.COMPENSATING,
      SagaStatus.COMPENSATED,
    ];
    if (!failed.includes(this.#p.status)) this.#p.error = null;
    this.touch();
  }

  /** The storage form. */
  toJSON(): SagaStateJSON {
    const p = this.#p;
    const iso = (d: Date | null) => (d === null ? null : d.toISOString());
    return {
      id: this.id,
      version: this.version,
      sagaType: p.sagaType,
      status: p.status,
      currentStep: p.currentStep,
      stepHistory: p.stepHistory.map((s) => ({
        stepName: s.stepName,
        eventType: s.eventType,
        causationId: s.causationId,
        occurredAt: s.occurredAt.toISOString(),
        metadata: jsonCopy(s.metadata),
      })),
      processedEventIds: [...this.#processed],
      pendingCommands: p.pendingCommands.map((c) => ({ ...c, data: jsonCopy(c.data) })),
      compensationStack: p.compensationStack.map((c) => ({ ...c, data: jsonCopy(c.data) })),
      failedCompensations: p.failedCompensations.map((f) => ({
        commandType: f.commandType,
        data: jsonCopy(f.data),
        error: f.error,
        failedAt: f.failedAt.toISOString(),
      })),
      suspendedAt: iso(p.suspendedAt),
      suspensionReason: p.suspensionReason,
      timeoutAt: iso(p.timeoutAt),
      retryCount: p.retryCount,
      maxRetries: p.maxRetries,
      error: p.error,
      previousStatus: p.previousStatus,
      completedAt: iso(p.completedAt),
      failedAt: iso(p.failedAt),
      correlationId: p.correlationId,
      causationId: p.causationId,
      createdAt: p.createdAt.toISOString(),
      updatedAt: p.updatedAt.toISOString(),
      metadata: jsonCopy(p.metadata),
      data: jsonCopy(p.data),
    };
  }
}
