import { isPdError } from '@pd/ddd';
import { connect, POSTGRES_URL_ENV } from '../executor/connect.js';
import { migrate } from '../migrations/migrate.js';

/** Where the CLI writes (injected in tests). */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const USAGE = `usage: pd-postgres migrate [--url <postgres://…>] [--schema <name>]

  --url     connection URL (default: $${POSTGRES_URL_ENV})
  --schema  schema to create and migrate (default: pd)`;

/**
 * The `pd-postgres` command line. Returns the exit code.
 *
 * @example
 * pd-postgres migrate --schema shop   # uses PD_POSTGRES_URL
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (command !== 'migrate') {
    io.err(USAGE);
    return 2;
  }
  const flags: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    const match = /^--(url|schema)(?:=(.*))?$/.exec(arg);
    if (match === null) {
      io.err(`unknown argument: ${arg}\n${USAGE}`);
      return 2;
    }
    const value = match[2] ?? rest[++i];
    if (value === undefined) {
      io.err(`--${match[1]} needs a value\n${USAGE}`);
      return 2;
    }
    flags[match[1] as string] = value;
  }
  try {
    const db = await connect({
      ...(flags.url === undefined ? {} : { url: flags.url }),
      env: io.env,
      poolSize: 1,
    });
    try {
      const result = await migrate(db, flags.schema === undefined ? {} : { schema: flags.schema });
      io.out(
        result.applied.length === 0
          ? `schema ${result.schema} is up to date (version ${result.version})`
          : `schema ${result.schema}: applied ${result.applied.join(', ')} (now version ${result.version})`,
      );
      return 0;
    } finally {
      await db.close();
    }
  } catch (error) {
    io.err(
      isPdError(error)
        ? `${error.code}: ${error.message}`
        : `error: ${(error as Error).message ?? String(error)}`,
    );
    return 1;
  }
}
