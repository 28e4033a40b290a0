import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyCommand, CommandDispatcher, MessageClass } from '@pd/cqrs';
import {
  type AnyDomainEvent,
  type Clock,
  domainDefaults,
  type IdGenerator,
  isPdError,
  ValidationError,
} from '@pd/ddd';
import type { CommandTypeRegistry } from './commandTypeRegistry.js';
import {
  type AnySaga,
  atomically,
  attachCommandTypes,
  parseSagaData,
  type SagaClass,
  sagaTypeOf,
} from './saga.js';
import { SagaConfigurationError, type SagaFailure, SagaProcessingError } from './sagaErrors.js';
import { InProcessSagaLock, type SagaLock } from './sagaLock.js';
import { ConsoleSagaLogger, type SagaLogger } from './sagaLogger.js';
import type { SagaRegistry } from './sagaRegistry.js';
import {
  type AnySagaState,
  canRemoveFinishedSagas,
  type RemovingSagaRepository,
  type SagaRepository,
} from './sagaRepository.js';
import { cutoffsOf, type SagaRetentionPolicy } from './sagaRetentionPolicy.js';
import { SagaState } from './sagaState.js';
import { SagaStatus } from './sagaStatus.js';

/**
 * What `SagaManager.handle` does with failures: `'log'` (default) logs each one and returns, so a
 * bus delivering an event is never disturbed by a saga; `'throw'` throws a
 * {@link SagaProcessingError} listing them, after every saga has had its turn.
 */
export type SagaErrorPolicy = 'log' | 'throw';

/** Options of {@link SagaManager}. */
export interface SagaManagerOptions {
  /** Rebuilds stored pending commands and compensations by type name. Register every command sagas send. */
  readonly commandTypes: CommandTypeRegistry;
  /** Default: the domain defaults' clock. Drives timestamps, timeouts and `processTimeouts`. */
  readonly clock?: Clock;
  /** Mints correlation ids for `start` when neither the caller nor the event has one. */
  readonly idGenerator?: IdGenerator<string>;
  /** Default: a {@link ConsoleSagaLogger}. */
  readonly logger?: SagaLogger;
  /** Serialises work per saga. Default: an {@link InProcessSagaLock}. */
  readonly lock?: SagaLock;
  /**
   * How often to reload and re-run an event after a `ConcurrencyError` at the checkpoint save
   * (which happens before anything is sent, so re-running is safe). Default 3.
   */
  readonly retryOnConflict?: number;
  /** Failures of `handle` (and of follow-up events): default `'log'`. */
  readonly errorPolicy?: SagaErrorPolicy;
  /**
   * Handle the events that saga-dispatched commands committed (returned by the dispatcher), so a
   * saga advances by itself even on a bare `CommandBus`. Default true. Duplicates (the same event
   * also delivered by a `MessageBus`) are recognised by event id.
   */
  readonly feedBackEvents?: boolean;
  /**
   * Which finished sagas {@link SagaManager.pruneFinished} removes (e.g. a
   * `MaxAgeRetentionPolicy`, or `KeepForeverRetentionPolicy` to say "never" explicitly). Default:
   * none — finished sagas are kept and `pruneFinished` refuses to run. Needs a repository that
   * implements the optional `findFinished` / `deleteFinished`; the constructor throws
   * `SagaConfigurationError` otherwise.
   */
  readonly retention?: SagaRetentionPolicy;
}

/** The outcome of a batch (`processTimeouts`, `recoverPendingSagas`). One failure never stops the batch. */
export interface SagaBatchResult {
  /** Ids of the sagas the batch worked on successfully. */
  readonly processed: readonly string[];
  /** Ids found but left alone (unknown saga type, or no longer due when locked). */
  readonly skipped: readonly string[];
  /** Every failure, including those of follow-up events. */
  readonly failed: readonly SagaFailure[];
}

/** The outcome of {@link SagaManager.pruneFinished}: one batch of finished sagas removed. */
export interface SagaPruneResult {
  /** How many finished sagas were removed. */
  readonly removed: number;
  /** Their ids. */
  readonly removedIds: readonly string[];
  /** Ids found due but left in place: saved again since they were found, or no longer due. */
  readonly skipped: readonly string[];
}

/** Where `bindTo` registers the manager: `MessageBus.on` has this shape. */
export interface SagaEventSource {
  on<TEvent extends AnyDomainEvent>(
    eventClass: MessageClass<TEvent>,
    handler: (event: TEvent) => Promise<void>,
    options?: { readonly name?: string },
  ): unknown;
}

interface WorkScope {
  readonly queue: AnyDomainEvent[];
  readonly seen: Set<string>;
  readonly failures: SagaFailure[];
  closed: boolean;
}

/** Marks a checkpoint conflict: nothing was sent yet, so the attempt can be re-run. */
class CheckpointConflict {
  constructor(readonly error: unknown) {}
}

const ACTIVE: readonly SagaStatus[] = [
  SagaStatus.PENDING,
  SagaStatus.RUNNING,
  SagaStatus.SUSPENDED,
];

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error behind a `CommandExecutionError`, else the error itself. */
function rootCauseOf(error: unknown): string {
  if (isPdError(error, 'COMMAND_EXECUTION') && error.cause !== undefined)
    return messageOf(error.cause);
  return messageOf(error);
}

function failState(state: AnySagaState, reason: string): void {
  if (state.compensationStack.length > 0) state.startCompensation(reason);
  else state.fail(reason);
}

function stored(command: AnyCommand): { commandType: string; data: Record<string, unknown> } {
  return {
    commandType: command.commandType,
    data: command.toJSON() as unknown as Record<string, unknown>,
  };
}

/**
 * Runs sagas: finds (or creates) the saga instance of an event by its correlation id, lets it
 * handle the event, sends the commands it queued through a `CommandDispatcher`, unwinds
 * compensations, and saves the state — one saga at a time (per-saga lock, retry on conflict).
 *
 * **The loop closes by itself**: the events each dispatched command committed are fed back into
 * {@link handle}, so a saga advances on a bare `CommandBus` (with a `MessageBus` the same events
 * are also delivered by the bus; duplicates are recognised by event id).
 *
 * **Durability**: before sending, the commands are logged in the state (`pendingCommands`) and
 * saved; after sending, the state is saved again (two saves per event with commands, one without).
 * A crash in between leaves the commands pending and {@link recoverPendingSagas} re-sends them
 * with their original command ids — at-least-once, so make handlers idempotent (the cqrs
 * idempotency behaviour keys on the command id).
 *
 * **Failures**:
 * - A handler that throws is undone (none of its commands is sent) and the saga fails with its
 *   message, compensating what earlier steps pushed. This is a saga outcome, not an error of
 *   `handle`/`start`: it is logged and recorded in the state.
 * - A dispatch failure counts one retry and suspends a running saga ("Dispatch failed: …",
 *   `previousStatus` remembered); the next event or a successful recovery restores the status.
 *   Once the failed attempts exceed `maxRetries` — on `handle` and in recovery alike — the saga
 *   gives up on its pending commands and fails, compensating.
 * - `start` throws the error of its own event (it is a direct call); `handle` follows the
 *   `errorPolicy` (default `'log'`). Follow-up events always follow the policy.
 *
 * Events reaching a saga that is COMPENSATING (only after a crash mid-compensation) are ignored:
 * recovery finishes the compensation.
 *
 * **Tracing**: forward commands get the saga's correlation id and the triggering event's id as
 * causation; compensation, recovery and timeout commands get the saga state id as causation.
 * Every command keeps its own command id.
 *
 * **Retention**: finished sagas are kept unless a `retention` policy is given; then
 * {@link pruneFinished} (or a `SagaRetentionWorker`) removes those the policy lets go, in bounded
 * batches, never a running, suspended or compensating one.
 *
 * @example
 * const manager = new SagaManager(new InMemorySagaRepository(), registry, commandBus, {
 *   commandTypes: new CommandTypeRegistry().register(ChargePayment, RefundPayment, ShipOrder),
 * });
 * await manager.handle(orderPlaced); // starts the saga, charges, then ships when PaymentCharged commits
 */
export class SagaManager {
  readonly #repository: SagaRepository;
  readonly #registry: SagaRegistry;
  readonly #dispatcher: CommandDispatcher;
  readonly #commandTypes: CommandTypeRegistry;
  readonly #clock: Clock | undefined;
  readonly #ids: IdGenerator<string> | undefined;
  readonly #logger: SagaLogger;
  readonly #lock: SagaLock;
  readonly #retryOnConflict: number;
  readonly #errorPolicy: SagaErrorPolicy;
  readonly #feedBack: boolean;
  readonly #retention: SagaRetentionPolicy | undefined;
  readonly #remover: RemovingSagaRepository | undefined;
  readonly #scope = new AsyncLocalStorage<WorkScope>();
  readonly #bound = new WeakMap<object, Set<string>>();

  constructor(
    repository: SagaRepository,
    registry: SagaRegistry,
    dispatcher: CommandDispatcher,
    options: SagaManagerOptions,
  ) {
    this.#repository = repository;
    this.#registry = registry;
    this.#dispatcher = dispatcher;
    this.#commandTypes = options.commandTypes;
    this.#clock = options.clock;
    this.#ids = options.idGenerator;
    this.#logger = options.logger ?? new ConsoleSagaLogger();
    this.#lock = options.lock ?? new InProcessSagaLock();
    this.#retryOnConflict = Math.max(0, options.retryOnConflict ?? 3);
    this.#errorPolicy = options.errorPolicy ?? 'log';
    this.#feedBack = options.feedBackEvents ?? true;
    this.#retention = options.retention;
    this.#remover = canRemoveFinishedSagas(repository) ? repository : undefined;
    if (this.#retention !== undefined && this.#remover === undefined) {
      const name = repository.constructor?.name;
      const which =
        name === undefined || name === '' || name === 'Object' ? 'the repository' : name;
      throw new SagaConfigurationError(
        `SagaManager was given a retention policy, but ${which} cannot remove sagas (it lacks the optional findFinished / deleteFinished). Implement them, or leave \`retention\` unset to keep finished sagas.`,
      );
    }
  }

  /** The retention policy `pruneFinished` applies, if one was configured. */
  get retention(): SagaRetentionPolicy | undefined {
    return this.#retention;
  }

  get #now(): Date {
    return (this.#clock ?? domainDefaults().clock).now();
  }

  /**
   * Registers {@link handle} on `bus` for every event type the registry knows, once per type
   * however many sagas listen to it. Calling it again after registering more sagas adds only the
   * new types.
   */
  bindTo(bus: SagaEventSource): this {
    const done = this.#bound.get(bus) ?? new Set<string>();
    this.#bound.set(bus, done);
    for (const eventClass of this.#registry.eventClasses()) {
      if (done.has(eventClass.typeName)) continue;
      done.add(eventClass.typeName);
      bus.on(eventClass, (event) => this.handle(event), {
        name: `SagaManager(${eventClass.typeName})`,
      });
    }
    return this;
  }

  /**
   * The choreography entry point: lets every saga registered for the event's type handle it,
   * creating the saga instance on first sight. Events without a correlation id are ignored (with a
   * warning). One saga's failure does not affect the others; failures follow the `errorPolicy`.
   */
  async handle(event: AnyDomainEvent): Promise<void> {
    const scope = this.#scope.getStore();
    if (scope !== undefined && !scope.closed) {
      // Delivered while this manager is dispatching (a MessageBus handing over committed events):
      // queue it for after the current saga's lock is released.
      this.#enqueue(scope, event);
      return;
    }
    const failures = await this.#drain(undefined, [event]);
    this.#settle(failures);
  }

  /**
   * The orchestration entry point: runs `sagaClass` on `event` under `correlationId` (default: the
   * event's; else a new id, with a warning). Idempotent: the same event again returns the same id
   * and sends nothing. Resolves to the saga id; throws what processing this event threw (a dispatch
   * or storage error — a failing handler is a saga outcome, recorded in the state). Do not call it
   * from inside a saga handler of the same saga: the per-saga lock is not re-entrant.
   */
  async start<TSaga extends AnySaga>(
    sagaClass: SagaClass<TSaga>,
    event: AnyDomainEvent,
    options: { correlationId?: string } = {},
  ): Promise<string> {
    this.#registry.registerType(sagaClass);
    let correlationId = options.correlationId ?? event.correlationId;
    if (correlationId === null || correlationId === undefined || correlationId === '') {
      correlationId = (this.#ids ?? domainDefaults().idGenerator).generate();
      this.#logger.warn('Saga started without a correlation id; generated one', {
        sagaType: sagaClass.sagaType,
        eventId: event.eventId,
        correlationId,
      });
    }
    const cid = correlationId;
    let outcome: { ok: true; id: string } | { ok: false; error: unknown } = {
      ok: false,
      error: undefined,
    };
    const failures = await this.#drain(async () => {
      try {
        outcome = {
          ok: true,
          id: await this.#processEvent(sagaClass as unknown as SagaClass, cid, event),
        };
      } catch (error) {
        outcome = { ok: false, error };
      }
    }, []);
    this.#settle(failures);
    const result = outcome as { ok: true; id: string } | { ok: false; error: unknown };
    if (!result.ok) throw result.error;
    return result.id;
  }

  /**
   * Runs `onTimeout` for every suspended saga whose timeout has passed by the injected clock (at
   * most `limit`), then sends what it queued and unwinds compensations. A saga that `onTimeout`
   * leaves suspended and still expired fails (without compensating).
   */
  async processTimeouts(limit = 10): Promise<SagaBatchResult> {
    const now = this.#now;
    const found = await this.#repository.findExpiredSuspended(now, limit);
    return this.#batch(found, (sagaClass, id) => this.#timeoutOne(sagaClass, id, now));
  }

  /**
   * Finishes what crashes and failed dispatches left behind (at most `limit` sagas): re-sends
   * pending commands (with their original ids; recovery tracing), unwinds interrupted
   * compensations, and on success returns a saga suspended by a failed dispatch to its previous
   * status. A failure counts one retry for that saga and never stops the batch.
   */
  async recoverPendingSagas(limit = 10): Promise<SagaBatchResult> {
    const found = await this.#repository.findStalled(limit);
    return this.#batch(found, (sagaClass, id) => this.#recoverOne(sagaClass, id));
  }

  /**
   * Removes one batch (at most `limit`, default 100) of finished sagas the `retention` policy lets
   * go by the manager's clock: terminal, owing no command, last changed before the policy's cutoff
   * for their status. Running, suspended and compensating sagas are never touched. A saga saved
   * again between finding and removing (another process) is skipped — the repository deletes only
   * at the version it found. Call it until `removed` is below `limit` to drain a backlog; a
   * `SagaRetentionWorker` does that periodically.
   *
   * @throws SagaConfigurationError when no `retention` policy was configured.
   *
   * @example
   * const manager = new SagaManager(repository, registry, bus, {
   *   commandTypes,
   *   retention: new MaxAgeRetentionPolicy({ maxAgeMs: 30 * 24 * 3600_000 }),
   * });
   * const { removed } = await manager.pruneFinished(500);
   */
  async pruneFinished(limit = 100): Promise<SagaPruneResult> {
    const policy = this.#retention;
    const repository = this.#remover;
    if (policy === undefined || repository === undefined) {
      throw new SagaConfigurationError(
        'SagaManager.pruneFinished needs a `retention` policy (SagaManagerOptions.retention)',
      );
    }
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw ValidationError.of('SagaManager', 'limit', 'limit must be a positive integer');
    }
    const cutoffs = cutoffsOf(policy, this.#now);
    if (Object.keys(cutoffs).length === 0) return { removed: 0, removedIds: [], skipped: [] };
    const found = await repository.findFinished(cutoffs, limit);
    // The manager re-checks what it deletes: a sloppy finder must not cost a running saga.
    const due = found.filter((state) => state.isDueForRemoval(cutoffs));
    if (due.length < found.length) {
      this.#logger.warn('Saga repository returned sagas not due for removal; left in place', {
        sagaIds: found.filter((state) => !due.includes(state)).map((state) => state.id),
      });
    }
    const removedIds =
      due.length === 0
        ? []
        : await repository.deleteFinished(due.map((s) => ({ id: s.id, version: s.version })));
    const removed = new Set(removedIds);
    const skipped = found.filter((s) => !removed.has(s.id)).map((s) => s.id);
    if (removedIds.length > 0) {
      this.#logger.info('Removed finished sagas', {
        removed: removedIds.length,
        skipped: skipped.length,
      });
    }
    return { removed: removedIds.length, removedIds, skipped };
  }

  async #batch(
    found: readonly AnySagaState[],
    work: (sagaClass: SagaClass, id: string) => Promise<boolean>,
  ): Promise<SagaBatchResult> {
    const processed: string[] = [];
    const skipped: string[] = [];
    const failed: SagaFailure[] = [];
    const followUps = await this.#drain(async () => {
      for (const state of found) {
        const sagaClass = this.#registry.getSagaType(state.sagaType);
        if (sagaClass === undefined) {
          this.#logger.warn('Stored saga has an unknown type; left untouched', {
            sagaId: state.id,
            sagaType: state.sagaType,
          });
          skipped.push(state.id);
          continue;
        }
        try {
          const done = await this.#lock.run(this.#key(state.sagaType, state.correlationId), () =>
            work(sagaClass, state.id),
          );
          (done ? processed : skipped).push(state.id);
        } catch (error) {
          const failure: SagaFailure = {
            sagaType: state.sagaType,
            sagaId: state.id,
            correlationId: state.correlationId,
            eventId: undefined,
            error,
          };
          this.#logFailure(failure);
          failed.push(failure);
        }
      }
    }, []);
    for (const failure of followUps) this.#logFailure(failure);
    return { processed, skipped, failed: [...failed, ...followUps] };
  }

  // ── the work loop ───────────────────────────────────────────────────────────────────────────

  async #drain(
    first: (() => Promise<void>) | undefined,
    events: readonly AnyDomainEvent[],
  ): Promise<SagaFailure[]> {
    const scope: WorkScope = { queue: [], seen: new Set(), failures: [], closed: false };
    for (const event of events) this.#enqueue(scope, event);
    await this.#scope.run(scope, async () => {
      if (first !== undefined) await first();
      for (let event = scope.queue.shift(); event !== undefined; event = scope.queue.shift()) {
        await this.#route(event, scope);
      }
      scope.closed = true;
    });
    return scope.failures;
  }

  #enqueue(scope: WorkScope, event: AnyDomainEvent): void {
    if (scope.seen.has(event.eventId)) return;
    scope.seen.add(event.eventId);
    scope.queue.push(event);
  }

  async #route(event: AnyDomainEvent, scope: WorkScope): Promise<void> {
    const sagaClasses = this.#registry.getSagasForEvent(event.eventType);
    if (sagaClasses.length === 0) return;
    const correlationId = event.correlationId;
    if (correlationId === null || correlationId === '') {
      this.#logger.warn('Event without correlation id ignored by sagas', {
        eventType: event.eventType,
        eventId: event.eventId,
      });
      return;
    }
    for (const sagaClass of sagaClasses) {
      try {
        await this.#processEvent(sagaClass, correlationId, event);
      } catch (error) {
        scope.failures.push({
          sagaType: sagaClass.sagaType,
          sagaId: undefined,
          correlationId,
          eventId: event.eventId,
          error,
        });
      }
    }
  }

  #settle(failures: readonly SagaFailure[]): void {
    if (failures.length === 0) return;
    if (this.#errorPolicy === 'throw') throw new SagaProcessingError(failures);
    for (const failure of failures) this.#logFailure(failure);
  }

  #logFailure(failure: SagaFailure): void {
    this.#logger.error('Saga processing failed', {
      sagaType: failure.sagaType,
      sagaId: failure.sagaId,
      correlationId: failure.correlationId,
      eventId: failure.eventId,
      error: messageOf(failure.error),
    });
  }

  #key(sagaType: string, correlationId: string): string {
    return `${sagaType}\u0000${correlationId}`;
  }

  // ── one event for one saga ──────────────────────────────────────────────────────────────────

  async #processEvent(
    sagaClass: SagaClass,
    correlationId: string,
    event: AnyDomainEvent,
  ): Promise<string> {
    const sagaType = sagaTypeOf(sagaClass);
    return this.#lock.run(this.#key(sagaType, correlationId), async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.#processOnce(sagaClass, sagaType, correlationId, event);
        } catch (error) {
          if (!(error instanceof CheckpointConflict)) throw error;
          if (attempt >= this.#retryOnConflict) throw error.error;
        }
      }
    });
  }

  async #processOnce(
    sagaClass: SagaClass,
    sagaType: string,
    correlationId: string,
    event: AnyDomainEvent,
  ): Promise<string> {
    const loaded = await this.#repository.findByCorrelationId(correlationId, sagaType);
    const state =
      loaded === undefined
        ? this.#create(sagaClass, correlationId, event)
        : this.#prepare(loaded, sagaClass);
    if (state.isTerminal || state.status === SagaStatus.COMPENSATING) return state.id;
    if (state.isEventProcessed(event.eventId)) return state.id;
    const saga = this.#instantiate(sagaClass, state);

    if (state.status === SagaStatus.SUSPENDED) {
      // A failed dispatch is not a business wait: any event lets the saga carry on, while its
      // unsent commands stay pending for recovery.
      if (state.isDispatchSuspended) state.restorePreviousStatus();
      else if (!saga.shouldResume(event)) return state.id;
      else saga.resume();
    }

    state.setCausationId(event.eventId);
    try {
      await saga.handle(event);
    } catch (error) {
      // The handler's changes were undone; the event is consumed and the saga fails.
      state.markEventProcessed(event.eventId);
      if (ACTIVE.includes(state.status)) saga.fail(messageOf(error), { compensate: true });
      this.#logger.error('Saga handler failed; saga failed', {
        sagaType,
        sagaId: state.id,
        correlationId,
        eventId: event.eventId,
        error: messageOf(error),
      });
    }
    const forward = saga
      .collectCommands()
      .map((command) =>
        command.withTracing({ correlationId: state.correlationId, causationId: event.eventId }),
      );
    await this.#commit(state, forward, { retryable: true });
    return state.id;
  }

  /**
   * Checkpoint (pending commands logged) → send forward commands → unwind compensations → final
   * save → feed committed events back. Throws the dispatch error after saving, if there was one.
   */
  async #commit(
    state: AnySagaState,
    forward: readonly AnyCommand[],
    options: { retryable: boolean },
  ): Promise<void> {
    state.addPendingCommands(forward.map(stored));
    try {
      await this.#repository.save(state);
    } catch (error) {
      if (options.retryable && isPdError(error, 'CONCURRENCY')) throw new CheckpointConflict(error);
      throw error;
    }
    const produced: AnyDomainEvent[] = [];
    const dispatchError = await this.#sendForward(state, forward, produced);
    await this.#finish(
      state,
      produced,
      forward.length > 0,
      dispatchError === undefined ? forward : undefined,
    );
    if (dispatchError !== undefined) throw dispatchError;
  }

  /**
   * Unwinds compensations if the saga is compensating, saves (when anything changed) and feeds the
   * committed events back. `sent`: the commands that all went out, when that is the only change
   * since the checkpoint — then a conflicting save is merged into the fresh state.
   */
  async #finish(
    state: AnySagaState,
    produced: AnyDomainEvent[],
    changed: boolean,
    sent: readonly AnyCommand[] | undefined,
  ): Promise<void> {
    let dirty = changed;
    let mergeable = sent !== undefined;
    if (state.status === SagaStatus.COMPENSATING) {
      await this.#compensate(state, produced);
      dirty = true;
      mergeable = false;
    }
    if (dirty) {
      state.removeDispatched();
      await this.#finalSave(state, mergeable ? (sent ?? []).map((c) => c.commandId) : undefined);
    }
    this.#feedBackEvents(produced);
  }

  /**
   * Saves after dispatching. If another writer saved in between (only possible without a shared
   * lock, e.g. two processes), the commands are already out: reload and mark them sent there,
   * instead of leaving them pending for recovery to send twice.
   */
  async #finalSave(state: AnySagaState, sentIds: readonly string[] | undefined): Promise<void> {
    try {
      await this.#repository.save(state);
      return;
    } catch (error) {
      if (sentIds === undefined || !isPdError(error, 'CONCURRENCY')) throw error;
    }
    for (let attempt = 0; ; attempt++) {
      const fresh = await this.#repository.getById(state.id);
      if (fresh === undefined) throw new Error(`Saga ${state.id} disappeared while saving`);
      if (this.#clock !== undefined) fresh.configure({ clock: this.#clock });
      fresh.markDispatched(sentIds);
      fresh.removeDispatched();
      try {
        await this.#repository.save(fresh);
        return;
      } catch (error) {
        if (!isPdError(error, 'CONCURRENCY') || attempt >= this.#retryOnConflict) throw error;
      }
    }
  }

  async #sendForward(
    state: AnySagaState,
    commands: readonly AnyCommand[],
    produced: AnyDomainEvent[],
  ): Promise<unknown> {
    for (const command of commands) {
      try {
        const outcome = await this.#dispatcher.dispatch(command);
        produced.push(...outcome.events);
        state.markDispatched([command.commandId]);
      } catch (error) {
        this.#onForwardFailure(state, `Dispatch failed: ${rootCauseOf(error)}`);
        return error;
      }
    }
    return undefined;
  }

  /** The one place a failed or impossible forward dispatch is accounted for (handle and recovery alike). */
  #onForwardFailure(state: AnySagaState, reason: string, permanent = false): void {
    state.recordDispatchFailure(reason);
    if (permanent || state.retriesExhausted) {
      const dropped = state.dropUndispatched();
      const why = permanent ? reason : `Retry limit exceeded: ${reason}`;
      this.#logger.error('Saga gave up on its pending commands', {
        sagaType: state.sagaType,
        sagaId: state.id,
        commands: dropped.map((c) => c.commandType),
        reason: why,
      });
      if (ACTIVE.includes(state.status)) failState(state, why);
    } else if (state.status === SagaStatus.PENDING || state.status === SagaStatus.RUNNING) {
      state.suspendForDispatchFailure(reason);
    }
  }

  async #compensate(state: AnySagaState, produced: AnyDomainEvent[]): Promise<void> {
    for (
      let record = state.popCompensation();
      record !== undefined;
      record = state.popCompensation()
    ) {
      const rebuilt = this.#commandTypes.rebuild(record.commandType, record.data);
      if (!rebuilt.ok) {
        state.recordFailedCompensation({
          commandType: record.commandType,
          data: record.data,
          error: rebuilt.error,
        });
        this.#logger.error('Compensation could not be rebuilt', {
          sagaId: state.id,
          error: rebuilt.error,
        });
        continue;
      }
      const command = rebuilt.command.withTracing({
        correlationId: state.correlationId,
        causationId: state.id,
      });
      try {
        const outcome = await this.#dispatcher.dispatch(command);
        produced.push(...outcome.events);
      } catch (error) {
        state.recordFailedCompensation({
          commandType: record.commandType,
          data: record.data,
          error: messageOf(error),
        });
        this.#logger.error('Compensation failed', {
          sagaId: state.id,
          commandType: record.commandType,
          error: messageOf(error),
        });
      }
    }
    state.finishCompensation();
  }

  #feedBackEvents(events: readonly AnyDomainEvent[]): void {
    if (!this.#feedBack || events.length === 0) return;
    const scope = this.#scope.getStore();
    if (scope === undefined) return;
    for (const event of events) this.#enqueue(scope, event);
  }

  // ── timeouts and recovery ───────────────────────────────────────────────────────────────────

  async #timeoutOne(sagaClass: SagaClass, id: string, now: Date): Promise<boolean> {
    const loaded = await this.#repository.getById(id);
    if (loaded === undefined || !loaded.isExpired(now)) return false;
    const state = this.#prepare(loaded, sagaClass);
    const saga = this.#instantiate(sagaClass, state);
    try {
      await atomically(saga, () => saga.onTimeout());
    } catch (error) {
      if (ACTIVE.includes(state.status))
        saga.fail(`Timeout handler failed: ${messageOf(error)}`, { compensate: true });
    }
    if (state.isExpired(now))
      saga.fail('Timeout handler did not resolve suspension', { compensate: false });
    const forward = saga
      .collectCommands()
      .map((command) =>
        command.withTracing({ correlationId: state.correlationId, causationId: state.id }),
      );
    await this.#commit(state, forward, { retryable: false });
    return true;
  }

  async #recoverOne(sagaClass: SagaClass, id: string): Promise<boolean> {
    const loaded = await this.#repository.getById(id);
    if (loaded === undefined || !loaded.isStalled) return false;
    const state = this.#prepare(loaded, sagaClass);
    const commands: AnyCommand[] = [];
    for (const entry of state.pendingCommands) {
      if (entry.dispatched) continue;
      const rebuilt = this.#commandTypes.rebuild(entry.commandType, entry.data);
      if (!rebuilt.ok) {
        this.#onForwardFailure(state, `Cannot rebuild stored command: ${rebuilt.error}`, true);
        commands.length = 0;
        break;
      }
      commands.push(
        rebuilt.command.withTracing({ correlationId: state.correlationId, causationId: state.id }),
      );
    }
    const produced: AnyDomainEvent[] = [];
    const dispatchError = await this.#sendForward(state, commands, produced);
    const recovered =
      dispatchError === undefined && !state.pendingCommands.some((c) => !c.dispatched);
    if (recovered) state.markRecovered();
    await this.#finish(state, produced, true, undefined);
    if (dispatchError !== undefined) throw dispatchError;
    return true;
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  #stateOptions(sagaClass: SagaClass) {
    return {
      ...(this.#clock === undefined ? {} : { clock: this.#clock }),
      maxProcessedEvents: sagaClass.maxProcessedEvents,
      maxStepHistory: sagaClass.maxStepHistory,
      pruningPolicy: sagaClass.pruningPolicy,
    };
  }

  #create(sagaClass: SagaClass, correlationId: string, event: AnyDomainEvent): AnySagaState {
    return SagaState.create(
      {
        sagaType: sagaTypeOf(sagaClass),
        correlationId,
        causationId: event.eventId,
        maxRetries: sagaClass.maxRetries,
        data: parseSagaData(sagaClass, {}),
      },
      this.#stateOptions(sagaClass),
    );
  }

  #prepare(state: AnySagaState, sagaClass: SagaClass): AnySagaState {
    state.configure(this.#stateOptions(sagaClass));
    parseSagaData(sagaClass, state.data);
    return state;
  }

  #instantiate(sagaClass: SagaClass, state: AnySagaState): AnySaga {
    const saga = new sagaClass(state as SagaState<never>);
    attachCommandTypes(saga, this.#commandTypes);
    return saga.ensureConfigured();
  }
}
