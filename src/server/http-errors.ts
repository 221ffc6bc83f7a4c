/** The body of every error answer: one line, no stack. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const reasons: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type',
  421: 'Misdirected Request', 429: 'Too Many Requests', 502: 'Bad Gateway', 503: 'Service Unavailable',
};

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: reasons[statusCode] ?? (statusCode < 500 ? 'Client Error' : 'Internal Server Error'), message };
}

/** A path outside the root or of the wrong kind is the caller's mistake (400); a missing one is 404. */
export function statusOf(located: { problem: 'outside' | 'missing' | 'wrong-kind' }): 400 | 404 {
  return located.problem === 'missing' ? 404 : 400;
}
