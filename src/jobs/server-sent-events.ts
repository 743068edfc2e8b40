/**
 * Job events as server-sent events, for the HTTP layer: each event's name is its type
 * (`snapshot`, `state-change`, `progress-update`, `end`) and its data the event as JSON.
 */
import type { JobEvent } from './types.js';

/** The fields of one server-sent event, in the shape Hono's `streamSSE` writes. */
export interface ServerSentEvent {
  event: string;
  data: string;
  id: string;
}

/** One job event as a server-sent event; `id` is its position in the stream. */
export function toServerSentEvent(event: JobEvent, sequence: number): ServerSentEvent {
  return { event: event.type, data: JSON.stringify(event), id: String(sequence) };
}

/** The wire text of one server-sent event (`data` is single-line JSON, so one `data:` line). */
export function formatServerSentEvent(event: ServerSentEvent): string {
  return `id: ${event.id}\nevent: ${event.event}\ndata: ${event.data}\n\n`;
}

/** Turns a job's event stream (`queue.subscribe(jobId)`) into server-sent events' wire text. */
export async function* toServerSentEvents(events: AsyncIterable<JobEvent>): AsyncGenerator<string> {
  let sequence = 0;
  for await (const event of events) {
    sequence += 1;
    yield formatServerSentEvent(toServerSentEvent(event, sequence));
  }
}
