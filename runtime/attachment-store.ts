/**
 * The attachments' files (附件), content-addressed on disk under
 * `<DATA_DIR>/attachments/<sha256[0..2]>/<sha256>`: a file is named by the
 * SHA-256 of its bytes, so the same content is stored once however often it is
 * attached, and a stored file never changes. A file is written to a temporary
 * name in the same folder tree, flushed, then renamed into place — a process
 * that dies mid-write leaves no half file under a real name. The rows naming
 * the files live in Postgres (db/attachment-repository.ts); a file is written
 * before its row, so a row never names a missing file.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface AttachmentStore {
  /** The folder holding the files. */
  readonly dir: string;
  /** Stores the bytes (once per content) and answers their SHA-256 and whether this call wrote the file. */
  put(bytes: Buffer): Promise<{ sha256: string; size: number; written: boolean }>;
  /** Where the file of this content lives. */
  pathOf(sha256: string): string;
  /** Opens the file of this content for reading (rejects with ENOENT when it is missing). */
  open(sha256: string): Promise<fs.promises.FileHandle>;
  /**
   * Removes the files no attachment names any more (`referenced` answers which still are) and the leftovers of
   * interrupted writes, once older than `graceMs` — an upload writes its file before its row, so a young file may be
   * about to be named. Answers how many files it removed.
   */
  sweep(referenced: (sha256s: string[]) => Promise<Set<string>>, graceMs?: number): Promise<number>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function sha256Of(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export function createAttachmentStore(dir: string): AttachmentStore {
  const root = path.resolve(dir);
  const pathOf = (sha256: string) => {
    if (!SHA256.test(sha256)) throw new Error('not a SHA-256 hex digest');
    return path.join(root, sha256.slice(0, 2), sha256);
  };
  return {
    dir: root,
    pathOf,
    async put(bytes) {
      const sha256 = sha256Of(bytes);
      const target = pathOf(sha256);
      const exists = await fs.promises.stat(target).then(
        (s) => s.isFile() && s.size === bytes.length,
        () => false,
      );
      if (exists) {
        // Named again: fresh for the sweep's grace period, so the row about to name it never finds it gone.
        const now = new Date();
        await fs.promises.utimes(target, now, now);
        return { sha256, size: bytes.length, written: false };
      }
      const tmpDir = path.join(root, 'tmp');
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      await fs.promises.mkdir(tmpDir, { recursive: true });
      const tmp = path.join(tmpDir, `${sha256}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`);
      const fh = await fs.promises.open(tmp, 'wx', 0o640);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        // Same content, same name: a concurrent upload of the same bytes renames an identical file over it.
        await fs.promises.rename(tmp, target);
      } catch (err) {
        await fs.promises.rm(tmp, { force: true });
        throw err;
      }
      return { sha256, size: bytes.length, written: true };
    },
    open(sha256) {
      return fs.promises.open(pathOf(sha256), 'r');
    },
    async sweep(referenced, graceMs = 60 * 60 * 1000) {
      const cutoff = Date.now() - graceMs;
      const mtimeOf = async (file: string) => (await fs.promises.stat(file).catch(() => undefined))?.mtimeMs ?? Infinity;
      let removed = 0;
      const shards = await fs.promises.readdir(root).catch(() => [] as string[]);
      for (const shard of shards) {
        const dir = path.join(root, shard);
        const names = await fs.promises.readdir(dir).catch(() => [] as string[]);
        if (shard === 'tmp') {
          for (const n of names) {
            if ((await mtimeOf(path.join(dir, n))) >= cutoff) continue;
            await fs.promises.rm(path.join(dir, n), { force: true });
            removed++;
          }
          continue;
        }
        const candidates: string[] = [];
        for (const n of names) if (SHA256.test(n) && n.startsWith(shard) && (await mtimeOf(path.join(dir, n))) < cutoff) candidates.push(n);
        if (!candidates.length) continue;
        const keep = await referenced(candidates);
        for (const n of candidates.filter((c) => !keep.has(c))) {
          // Stored again meanwhile (put touches a file it finds): keep it.
          if ((await mtimeOf(path.join(dir, n))) >= cutoff) continue;
          await fs.promises.rm(path.join(dir, n), { force: true });
          removed++;
        }
      }
      return removed;
    },
  };
}
