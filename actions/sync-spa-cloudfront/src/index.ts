// first, for its effect (see the file): evaluated before the modules below
import './hash-worker-start';
import { run } from '@deploy-actions/kit/runtime';
import { main } from './main';

// Once the step is done the process ends at once, its output flushed: a natural exit first tears down the heap, the
// SDK's sockets and the hash worker, ~15-20 ms of a 2,000-file redeploy (measured). Everything the step writes
// (outputs, summary, logs) is written before main returns; stdout and stderr can still be buffered where pipes are
// asynchronous (macOS), hence the wait for them.
void run(() => main()).then(async () => {
  await Promise.all([process.stdout, process.stderr].map(flushed));
  process.exit();
});

/** Resolves once what was written to `stream` so far is handed to the OS (at most 2 s: never hang on a stuck pipe). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    setTimeout(resolve, 2000).unref();
    stream.write('', () => resolve());
  });
}
