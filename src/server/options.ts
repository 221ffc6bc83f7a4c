/**
 * What the service's command line offers before anything of the service is loaded: `wkmp-ai
 * import` and `--version` start without loading Fastify.
 */
export const defaultHost = '127.0.0.1';
export const defaultPort = 5723;
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];
