import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP server that answers the two AWS operations the dispatchers use, for the real SDK
 * clients to talk to: EventBridge `PutEvents` (awsJson1_1: `POST /`, `X-Amz-Target`) and Lambda
 * `Invoke` (REST: `POST /2015-03-31/functions/<name>/invocations`). Each test decides
 * the answers with `reset`; every request is kept in `requests`.
 */
export interface StubRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface StubReply {
  /** @default 200 */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON; nothing is sent when absent. */
  readonly json?: unknown;
  /** Drop the connection instead of answering, as a reset does (the client sees ECONNRESET). */
  readonly reset?: boolean;
}

export type StubHandler = (request: StubRequest) => StubReply | Promise<StubReply>;

export interface AwsStub {
  /** `http://127.0.0.1:<port>`, for the clients' `endpoint`. */
  readonly endpoint: string;
  /** Every request so far, in arrival order. */
  readonly requests: StubRequest[];
  /** Forgets the requests and answers from now on with `handle`. */
  reset(handle: StubHandler): void;
  close(): Promise<void>;
}

const AWS_JSON = 'application/x-amz-json-1.1';

export async function startAwsStub(handle: StubHandler): Promise<AwsStub> {
  const requests: StubRequest[] = [];
  let current = handle;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      Promise.resolve()
        .then(() => current(request))
        .then(
          ({ status = 200, headers = {}, json, reset }) => {
            if (reset === true) {
              req.socket.destroy();
              return;
            }
            const body = json === undefined ? '' : JSON.stringify(json);
            res.writeHead(status, { 'content-type': AWS_JSON, 'content-length': Buffer.byteLength(body), ...headers });
            res.end(body);
          },
          // A handler that throws (a failed assertion on the request) answers 599, which no test expects.
          (error: unknown) => {
            res.writeHead(599);
            res.end(String(error));
          },
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    reset(next) {
      requests.length = 0;
      current = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK keeps connections alive; without this, close() would wait for them to time out.
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

/** The entries of a `PutEvents` request, as the SDK serialised them. */
export interface SentEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
  readonly Resources?: string[];
  readonly Time?: number;
}

export function putEventsEntries(request: StubRequest): SentEntry[] {
  if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
    throw new Error(`expected a PutEvents request, got X-Amz-Target ${String(request.headers['x-amz-target'])}`);
  }
  return (JSON.parse(request.body) as { Entries: SentEntry[] }).Entries;
}

/** The `PutEvents` answer: each entry accepted, unless `failWith` returns an error for it. */
export function putEventsReply(
  request: StubRequest,
  failWith: (entry: SentEntry, index: number) => { code: string; message: string } | undefined = () => undefined,
): StubReply {
  const results = putEventsEntries(request).map((entry, index) => {
    const error = failWith(entry, index);
    return error === undefined ? { EventId: `event-${index}` } : { ErrorCode: error.code, ErrorMessage: error.message };
  });
  return { json: { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results } };
}

/** An awsJson1_1 error answer, e.g. `ThrottlingException` (400) or `InternalException` (500). */
export function awsJsonError(type: string, message: string, status = 400): StubReply {
  return { status, json: { __type: type, message } };
}

/** A Lambda (restJson1) error answer, e.g. `ResourceNotFoundException` (404). */
export function lambdaError(type: string, message: string, status: number): StubReply {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, json: { Type: 'User', message } };
}

/** The function name in a Lambda `Invoke` path, or undefined for any other request. */
export function invokedFunction(request: StubRequest): string | undefined {
  const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.path);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}
