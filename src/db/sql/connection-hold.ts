// The hold a connection check puts on a connection (domain/connection-check.ts): while its last check
// says the key or the address is wrong, claims skip its tasks, so no deletion is sent on it. One SQL
// condition, shared by both claims.
import { sql, type RawBuilder } from 'kysely';
import { HOLDING_CHECK_RESULTS } from '../../domain/connection-check.ts';

/** True when the connection named by `connection` (an SQL expression) is held by its last check. */
export function connectionHeld(connection: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from connection_check cc where cc.connection = ${connection} and cc.result = any(${[...HOLDING_CHECK_RESULTS]}::text[]))`;
}
