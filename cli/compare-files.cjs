/**
 * Compares rendered files with what a folder holds, byte for byte: what `npm run synth` would add
 * or change there. Plain CommonJS with only Node built-ins, because `check` also runs it on a worker
 * thread (`startComparison`): on a large platform reading dist/ (25,000 files) then overlaps the
 * check rules instead of preceding them.
 *
 * Each file is opened, read into one reused buffer and compared with the content encoded as UTF-8
 * (what writing it would put on disk), without a string per file: about a third less time than
 * `readFileSync(file, 'utf8')` and no 28 MB of strings for the garbage collector on that platform.
 * A folder's existence is checked once rather than a failed open per file: a first render writes
 * thousands of files into new folders.
 */
const { closeSync, existsSync, openSync, readSync } = require('node:fs');
const { dirname, join } = require('node:path');
const {
  MessageChannel,
  Worker,
  isMainThread,
  parentPort,
  receiveMessageOnPort,
  workerData,
} = require('node:worker_threads');

/**
 * @param {string} dir
 * @param {ReadonlyMap<string, string>} files path relative to `dir` (with `/` separators) ->
 *   rendered content
 * @returns {{ added: string[], changed: string[], unchanged: number }} in the order of `files`
 */
function compareFiles(dir, files) {
  return compareEncoded(dir, [...files.keys()], encode([...files.values()]));
}

/**
 * Every content encoded as UTF-8 (what writing it puts on disk) into one shared buffer, and where
 * each starts: a worker reads it without a copy.
 */
function encode(contents) {
  const offsets = new Float64Array(contents.length + 1);
  let total = 0;
  for (let i = 0; i < contents.length; i++) {
    offsets[i] = total;
    total += Buffer.byteLength(contents[i], 'utf8');
  }
  offsets[contents.length] = total;
  const bytes = new SharedArrayBuffer(total);
  const buffer = Buffer.from(bytes);
  for (let i = 0; i < contents.length; i++) buffer.write(contents[i], offsets[i], 'utf8');
  return { bytes, offsets };
}

function compareEncoded(dir, paths, { bytes, offsets }) {
  const expected = Buffer.from(bytes);
  const added = [];
  const changed = [];
  let unchanged = 0;
  const folders = new Map();
  let actual = Buffer.allocUnsafe(1 << 16);
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    const file = join(dir, path);
    const folder = dirname(file);
    let exists = folders.get(folder);
    if (exists === undefined) {
      exists = existsSync(folder);
      folders.set(folder, exists);
    }
    if (!exists) {
      added.push(path);
      continue;
    }
    let fd;
    try {
      fd = openSync(file, 'r');
    } catch (error) {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') {
        added.push(path);
        continue;
      }
      throw error;
    }
    try {
      const start = offsets[i];
      const length = offsets[i + 1] - start;
      // One byte more than expected tells a longer file.
      if (actual.length < length + 1) actual = Buffer.allocUnsafe(length + 1);
      let read = 0;
      for (;;) {
        const n = readSync(fd, actual, read, length + 1 - read, read);
        if (n === 0) break;
        read += n;
        if (read === length + 1) break;
      }
      if (read === length && actual.compare(expected, start, start + length, 0, length) === 0) unchanged++;
      else changed.push(path);
    } finally {
      closeSync(fd);
    }
  }
  return { added, changed, unchanged };
}

/** The worker's state in the shared signal: loaded and comparing, then answered. */
const RUNNING = 1;
const ANSWERED = 2;

/**
 * Starts `compareFiles` on a worker thread; `result()` waits for it (blocking: the command stays
 * synchronous, and a waiting thread cannot see the worker's events, so the worker signals through
 * shared memory). A worker that has not started within `startMs` (it could not load) or not
 * answered within `answerMs` is not waited for again: the comparison then runs on this thread, so
 * the answer is always the same.
 *
 * @param {string} dir
 * @param {ReadonlyMap<string, string>} files as for `compareFiles`
 * @param {{ workerFile?: string, startMs?: number, answerMs?: number }} [options] `workerFile`:
 *   this file, where the worker loads it (a bundle that includes this file names the original)
 * @returns {{ result(): { added: string[], changed: string[], unchanged: number } }}
 */
function startComparison(dir, files, options = {}) {
  const paths = [...files.keys()];
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const encoded = encode([...files.values()]);
  let worker;
  try {
    worker = new Worker(options.workerFile ?? __filename, {
      workerData: { compareFiles: { dir, paths, encoded, port: port2, signal } },
      transferList: [port2],
    });
    // The worker's own errors arrive as messages; this keeps an event from crashing the process,
    // and a command that fails before asking for the result does not wait for the worker.
    worker.on('error', () => {});
    worker.unref();
  } catch {
    worker = undefined;
  }
  const answered = () =>
    Atomics.wait(signal, 0, 0, options.startMs ?? 10_000) !== 'timed-out' &&
    Atomics.wait(signal, 0, RUNNING, options.answerMs ?? 120_000) !== 'timed-out';
  return {
    result() {
      try {
        if (worker !== undefined && answered()) {
          const answer = receiveMessageOnPort(port1)?.message;
          if (answer?.error !== undefined) throw new Error(answer.error);
          if (answer?.result !== undefined) return answer.result;
        }
        return compareEncoded(dir, paths, encoded);
      } finally {
        port1.close();
        worker?.terminate();
      }
    },
  };
}

if (!isMainThread && workerData?.compareFiles !== undefined) {
  const { dir, paths, encoded, port, signal } = workerData.compareFiles;
  Atomics.store(signal, 0, RUNNING);
  Atomics.notify(signal, 0);
  try {
    port.postMessage({ result: compareEncoded(dir, paths, encoded) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  }
  Atomics.store(signal, 0, ANSWERED);
  Atomics.notify(signal, 0);
  parentPort?.close();
}

module.exports = { compareFiles, startComparison };
