/**
 * The CLI's exit codes, as scripts expect them from a well-behaved Unix command.
 */

/** Everything asked for was done. */
export const EXIT_OK = 0;
/** A runtime failure: a feed could not be loaded, Redis is unreachable, a Redis command failed. */
export const EXIT_FAILURE = 1;
/** A usage error: unknown command or option, missing or invalid argument. Nothing was done. */
export const EXIT_USAGE = 2;
