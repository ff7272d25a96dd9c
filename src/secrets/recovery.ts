/**
 * Crash recovery of the local store, run when it opens. A writer killed mid-write (SIGKILL, OOM, power
 * loss) can leave its lock and its scratch files behind; a finished write never needs recovering, because
 * it became visible only by an atomic rename. So recovery is cleaning up: locks whose holder is gone are
 * broken (the next writer would wait for them otherwise) and scratch files of writers that are gone are
 * deleted (nothing ever reads them). Files of live writers are left alone.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { breakIfStale, scratchWriterIsGone } from './lock.js';

const ignoreMissing = (err: NodeJS.ErrnoException) => {
  if (err.code !== 'ENOENT') throw err; // already handled by its writer or another recovering process
};

export async function recoverAfterCrash(directory: string, staleMs: number): Promise<void> {
  for (const entry of await readdir(directory)) {
    const path = join(directory, entry);
    if (entry.endsWith('.lock')) {
      await breakIfStale(path, staleMs);
    } else if (entry.endsWith('.tmp')) {
      const info = await stat(path).catch(ignoreMissing);
      if (info && scratchWriterIsGone(entry, info.mtimeMs, staleMs)) await unlink(path).catch(ignoreMissing);
    }
  }
}
