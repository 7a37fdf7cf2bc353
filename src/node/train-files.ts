// A training run's files in a directory: checkpoint.tlck, <spec>.bin (weights, the runtime's format) and
// log.json, each written to a temporary file and renamed over the old one, so that killing the process at any
// moment leaves the previous complete file.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunStore } from '../train/run.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { makeDirectory } from './make-directory.ts';

export class DirectoryRunStore implements RunStore {
  readonly checkpointName: string;
  readonly weightsPath: string;
  readonly logPath: string;

  constructor(readonly dir: string, specName: string) {
    this.checkpointName = join(dir, 'checkpoint.tlck');
    this.weightsPath = join(dir, `${specName}.bin`);
    this.logPath = join(dir, 'log.json');
  }

  async init(): Promise<void> {
    await makeDirectory(this.dir);
  }

  async readCheckpoint(): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(this.checkpointName));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  writeCheckpoint(bytes: Uint8Array): Promise<void> {
    return writeFileAtomic(this.checkpointName, bytes);
  }

  writeWeights(bytes: Uint8Array): Promise<void> {
    return writeFileAtomic(this.weightsPath, bytes);
  }

  writeLog(json: string): Promise<void> {
    return writeFileAtomic(this.logPath, json + '\n');
  }
}
