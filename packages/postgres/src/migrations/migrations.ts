import { quoteIdent } from '../schema/identifier.js';

/** One schema change. Versions are consecutive and never edited once released. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The statements, for the given (already validated) schema. */
  readonly statements: (schema: string) => readonly string[];
}

/** Every migration pd knows, oldest first. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'event store, snapshots, checkpoints',
    statements: (schema: string) => {
      const s = quoteIdent(schema);
      return [
        `CREATE TABLE ${s}.streams (
          stream_id text PRIMARY KEY,
          version integer NOT NULL,
          deleted boolean NOT NULL DEFAULT false,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL
        )`,
        `CREATE SEQUENCE ${s}.events_position_seq AS bigint CACHE 1`,
        `CREATE TABLE ${s}.events (
          position bigint PRIMARY KEY DEFAULT nextval('${schema}.events_position_seq'),
          stream_id text NOT NULL,
          stream_version integer NOT NULL,
          event_type text NOT NULL,
          schema_version integer NOT NULL,
          event_id text NOT NULL,
          payload jsonb NOT NULL,
          metadata jsonb,
          occurred_at timestamptz NOT NULL,
          recorded_at timestamptz NOT NULL,
          correlation_id text,
          causation_id text,
          command_id text,
          append_ordinal integer NOT NULL DEFAULT 1,
          transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
          CONSTRAINT events_stream_version_key UNIQUE (stream_id, stream_version)
        )`,
        `ALTER SEQUENCE ${s}.events_position_seq OWNED BY ${s}.events.position`,
        `CREATE UNIQUE INDEX events_stream_command_key ON ${s}.events (stream_id, command_id)
          WHERE command_id IS NOT NULL AND append_ordinal = 1`,
        `CREATE INDEX events_type_position_idx ON ${s}.events (event_type, position)`,
        `CREATE TABLE ${s}.snapshots (
          aggregate_type text NOT NULL,
          aggregate_id text NOT NULL,
          version integer NOT NULL,
          schema_version integer NOT NULL,
          state jsonb NOT NULL,
          created_at timestamptz NOT NULL,
          PRIMARY KEY (aggregate_type, aggregate_id)
        )`,
        `CREATE TABLE ${s}.checkpoints (
          subscription_id text PRIMARY KEY,
          position bigint NOT NULL,
          updated_at timestamptz NOT NULL
        )`,
      ];
    },
  },
  {
    version: 2,
    name: 'processed commands, outbox',
    statements: (schema: string) => {
      const s = quoteIdent(schema);
      return [
        `CREATE TABLE ${s}.processed_commands (
          command_id text PRIMARY KEY,
          status text NOT NULL CHECK (status IN ('in_flight', 'completed')),
          result jsonb,
          claimed_at timestamptz NOT NULL,
          completed_at timestamptz
        )`,
        `CREATE TABLE ${s}.outbox (
          seq bigint GENERATED ALWAYS AS IDENTITY,
          id text PRIMARY KEY,
          event_id text NOT NULL UNIQUE,
          event_type text NOT NULL,
          event jsonb NOT NULL,
          topic text,
          command_id text,
          attempts integer NOT NULL DEFAULT 0,
          created_at timestamptz NOT NULL,
          available_at timestamptz,
          leased_until timestamptz,
          dead boolean NOT NULL DEFAULT false,
          last_error text
        )`,
        `CREATE INDEX outbox_due_idx ON ${s}.outbox (seq) WHERE NOT dead`,
      ];
    },
  },
  {
    version: 3,
    name: 'saga states',
    statements: (schema: string) => {
      const s = quoteIdent(schema);
      // The state is the saga's JSON; the columns the finders filter on are copied beside it.
      return [
        `CREATE TABLE IF NOT EXISTS ${s}.sagas (
          id text PRIMARY KEY,
          saga_type text NOT NULL,
          correlation_id text NOT NULL,
          version integer NOT NULL CHECK (version > 0),
          status text NOT NULL,
          stalled boolean NOT NULL,
          timeout_at timestamptz,
          state jsonb NOT NULL,
          created_at timestamptz NOT NULL,
          updated_at timestamptz NOT NULL,
          CONSTRAINT sagas_correlation_key UNIQUE (saga_type, correlation_id)
        )`,
        `CREATE INDEX IF NOT EXISTS sagas_stalled_idx ON ${s}.sagas (created_at, id) WHERE stalled`,
        `CREATE INDEX IF NOT EXISTS sagas_suspended_idx ON ${s}.sagas (created_at, id)
          WHERE status = 'SUSPENDED'`,
        `CREATE INDEX IF NOT EXISTS sagas_timeout_idx ON ${s}.sagas (timeout_at, created_at, id)
          WHERE status = 'SUSPENDED' AND timeout_at IS NOT NULL`,
      ];
    },
  },
  {
    version: 4,
    name: 'finished saga index',
    statements: (schema: string) => {
      const s = quoteIdent(schema);
      // What `PostgresSagaRepository.findFinished` reads, oldest first, for a retention policy.
      return [
        `CREATE INDEX IF NOT EXISTS sagas_finished_idx ON ${s}.sagas (updated_at, id)
          WHERE status IN ('COMPLETED', 'FAILED', 'COMPENSATED') AND NOT stalled`,
      ];
    },
  },
]);
