// Passes an upstream response through unchanged while reading its usage: streamed (SSE) responses
// event by event, JSON responses once complete. Nothing is held back from the client.
import { Transform, type TransformCallback } from 'node:stream';
import { SseDataSplitter, type UsageReader } from '@spendgraph/schema';

const MAX_JSON_BYTES = 32 * 1024 * 1024;

export class UsageTap extends Transform {
  private readonly reader: UsageReader;
  private readonly sse: SseDataSplitter | undefined;
  private readonly onDone: (complete: boolean) => void;
  private chunks: Buffer[] = [];
  private size = 0;
  private done = false;

  constructor(reader: UsageReader, contentType: string, onDone: (complete: boolean) => void) {
    super();
    this.reader = reader;
    this.sse = contentType.startsWith('text/event-stream') ? new SseDataSplitter() : undefined;
    this.onDone = onDone;
    // A client that goes away mid-stream still leaves a record of what was used so far.
    this.once('close', () => this.finish(false));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
    if (this.sse) {
      for (const data of this.sse.push(chunk)) if (data !== '[DONE]') this.readUsage(data);
    } else if (this.size + chunk.length <= MAX_JSON_BYTES) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback) {
    if (!this.sse && this.chunks.length) this.readUsage(Buffer.concat(this.chunks).toString('utf8'));
    this.chunks = [];
    this.finish(true);
    cb();
  }

  private readUsage(text: string) {
    try {
      this.reader.accept(JSON.parse(text));
    } catch {
      // not JSON (an HTML error page, a keep-alive comment): no usage in it
    }
  }

  private finish(complete: boolean) {
    if (this.done) return;
    this.done = true;
    this.onDone(complete);
  }
}
