/**
 * Server-sent events for the hot paths: the widget's streamed answers and its live-event stream.
 *
 * On Node's HTTP server (`polett start`) the frames are written straight to the response, as
 * strings: no web ReadableStream, no reader loop in the adapter, no TextEncoder. Each of those
 * layers costs on every delta of every open conversation; at 500 conversations streaming at
 * once they were a third of the process's CPU (bench/assistant-widget.ts). Elsewhere (Hono's
 * `app.request` in tests, another runtime) the same frames go through a web ReadableStream.
 *
 * The headers a middleware set before the route (CORS, Vary) are sent with the stream in both.
 */
import { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';

/** Writes one event; resolves when the client can take more (a slow client makes it wait). */
export type SendEvent = (event: string, data: unknown) => Promise<void>;

export interface EventStreamHandlers {
  /**
   * Produces the events. The stream ends when the promise settles, unless `holdOpen` is set; it
   * should end early once `signal` aborts (the client went away).
   */
  produce(send: SendEvent, signal: AbortSignal): Promise<void> | void;
  /** Keeps the stream open after `produce` until the client goes away (a live-event stream). */
  holdOpen?: boolean;
  /** Called once when the stream ends, whichever side ended it. */
  onEnd?: () => void;
}

const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Answers the request with a stream of server-sent events. */
export function eventStream(context: Context, handlers: EventStreamHandlers): Response {
  const outgoing = (context.env as { outgoing?: unknown } | undefined)?.outgoing;
  return outgoing instanceof ServerResponse
    ? writeToNodeResponse(context, outgoing, handlers)
    : webStream(context, handlers);
}

function writeToNodeResponse(
  context: Context,
  outgoing: ServerResponse,
  handlers: EventStreamHandlers,
): Response {
  const headers: Record<string, string> = {};
  context.res.headers.forEach((value, name) => {
    headers[name] = value;
  });
  outgoing.writeHead(200, { ...headers, ...EVENT_STREAM_HEADERS });
  outgoing.flushHeaders();

  const gone = new AbortController();
  let ended = false;
  // One wait for the client's buffer to empty, shared by every send that finds it full (a live
  // stream sends without waiting: one listener a send would pile up on a stalled client).
  let drained: Promise<void> | undefined;
  let releaseDrained: (() => void) | undefined;
  const onDrain = () => {
    const release = releaseDrained;
    drained = undefined;
    releaseDrained = undefined;
    release?.();
  };
  const end = () => {
    if (ended) return;
    ended = true;
    gone.abort();
    outgoing.off('close', end);
    outgoing.off('drain', onDrain);
    onDrain();
    if (!outgoing.writableEnded) outgoing.end();
    handlers.onEnd?.();
  };
  outgoing.on('close', end);
  outgoing.on('drain', onDrain);
  // The client may have gone while a middleware or the body was awaited: its 'close' has fired.
  if (outgoing.destroyed) queueMicrotask(end);

  const send: SendEvent = (event, data) => {
    if (ended || outgoing.destroyed) return Promise.resolve();
    if (outgoing.write(frame(event, data))) return Promise.resolve();
    // The client reads slower than we write: wait for its buffer to empty, or for it to go.
    drained ??= new Promise<void>((resolve) => (releaseDrained = resolve));
    return drained;
  };

  void (async () => {
    try {
      await handlers.produce(send, gone.signal);
    } catch (error) {
      // produce says what went wrong in an event of its own; a throw here is a defect.
      console.error(error);
      end();
      return;
    }
    if (!handlers.holdOpen) end();
  })();
  // A response of its own, not the adapter's shared constant: a middleware that sets a header
  // after the route would otherwise change that constant for every later request.
  return new Response(null, { headers: RESPONSE_ALREADY_SENT.headers });
}

function webStream(context: Context, handlers: EventStreamHandlers): Response {
  const encoder = new TextEncoder();
  const gone = new AbortController();
  let ended = false;
  // Every send waiting for the reader: a live stream may have several at once.
  const waiting: Array<() => void> = [];
  const wakeAll = () => {
    for (const wake of waiting.splice(0)) wake();
  };
  const end = () => {
    if (ended) return;
    ended = true;
    gone.abort();
    wakeAll();
    handlers.onEnd?.();
  };
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send: SendEvent = async (event, data) => {
        if (ended) return;
        controller.enqueue(encoder.encode(frame(event, data)));
        // Wait for the reader, as the Node path waits for the socket.
        while (!ended && (controller.desiredSize ?? 1) <= 0)
          await new Promise<void>((resolve) => waiting.push(resolve));
      };
      void (async () => {
        try {
          await handlers.produce(send, gone.signal);
        } catch (error) {
          console.error(error);
        }
        if (!handlers.holdOpen || gone.signal.aborted) {
          const open = !ended;
          end();
          if (open) controller.close();
        }
      })();
    },
    pull() {
      wakeAll();
    },
    cancel() {
      end();
    },
  });
  for (const [name, value] of Object.entries(EVENT_STREAM_HEADERS)) context.header(name, value);
  return context.body(stream);
}
