import type { QueryOptions } from './sqlExecutor.js';

/**
 * An internal query option (not exported from the package): return each row as an array of its
 * values in select-list order. node-postgres then skips building an object per row, which is a
 * large part of reading thousands of events. Executors that do not know it return objects;
 * {@link rowValues} reads both.
 */
export const ROWS_AS_ARRAYS: unique symbol = Symbol('pd.rowsAsArrays');

/** {@link QueryOptions} with pd's internal options. */
export interface InternalQueryOptions extends QueryOptions {
  readonly [ROWS_AS_ARRAYS]?: boolean;
}

/** Whether `options` asks for array rows. */
export function wantsArrayRows(options: QueryOptions | undefined): boolean {
  return (options as InternalQueryOptions | undefined)?.[ROWS_AS_ARRAYS] === true;
}

/** A row's values in select-list order, whether the executor returned an array or an object. */
export function rowValues(row: object): readonly unknown[] {
  return Array.isArray(row) ? row : Object.values(row);
}
