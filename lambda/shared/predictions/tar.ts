// A streaming reader of (gzipped) tar archives: yields each regular file as a stream of its
// bytes without buffering the archive. Enough of ustar, GNU long names and pax path records
// for the archives SageMaker writes (`output.tar.gz` of /opt/ml/output/data).

export interface TarEntry {
  readonly name: string;
  readonly size: number;
  /** The file's bytes, in chunks; must be consumed before the next entry is read. */
  readonly chunks: AsyncGenerator<Buffer>;
}

const BLOCK = 512;

/** Reads exactly n bytes (or fewer at the end of input) from a chunk source with carry-over. */
class ByteReader {
  private buf = Buffer.alloc(0);
  private done = false;

  constructor(private readonly source: AsyncIterator<Buffer | Uint8Array | string>) {}

  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n && !this.done) {
      const r = await this.source.next();
      if (r.done) this.done = true;
      else this.buf = Buffer.concat([this.buf, Buffer.from(r.value as Uint8Array)]);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  /** Up to `max` bytes that are already available, reading more only when none are. */
  async readSome(max: number): Promise<Buffer> {
    if (this.buf.length === 0 && !this.done) {
      const r = await this.source.next();
      if (r.done) this.done = true;
      else this.buf = Buffer.from(r.value as Uint8Array);
    }
    const out = this.buf.subarray(0, Math.min(max, this.buf.length));
    this.buf = this.buf.subarray(out.length);
    return out;
  }
}

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? raw.length : end).toString('utf8');
}

function octal(header: Buffer, start: number, length: number): number {
  const text = field(header, start, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

function paxPath(data: Buffer): string | undefined {
  // Records are "<len> <key>=<value>\n".
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const len = parseInt(data.subarray(i, space).toString('utf8'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const record = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') return record.slice(eq + 1);
    i += len;
  }
  return undefined;
}

/** The regular files of a tar stream, in archive order. */
export async function* tarEntries(source: AsyncIterable<Buffer | Uint8Array | string>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  let longName: string | undefined;
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header.length < BLOCK || header.every((b) => b === 0)) return;
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] || 0x30);
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L' || type === 'x') {
      const data = (await reader.read(padded)).subarray(0, size);
      longName = type === 'L' ? field(data, 0, data.length) : paxPath(data) ?? longName;
      continue;
    }
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if (type !== '0' && type !== '\0' && type !== '7') {
      await reader.read(padded);
      continue;
    }
    let remaining = size;
    const chunks = (async function* () {
      while (remaining > 0) {
        const chunk = await reader.readSome(remaining);
        if (chunk.length === 0) throw new Error(`the archive ends inside ${name}`);
        remaining -= chunk.length;
        yield chunk;
      }
    })();
    yield { name, size, chunks };
    // Skip whatever the consumer left of the file, then the padding.
    while (remaining > 0) {
      const skipped = await reader.readSome(remaining);
      if (skipped.length === 0) throw new Error(`the archive ends inside ${name}`);
      remaining -= skipped.length;
    }
    if (padded > size) await reader.read(padded - size);
  }
}
