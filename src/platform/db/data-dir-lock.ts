import { randomUUID } from 'node:crypto';
import {
  closeSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * PGlite is PostgreSQL inside this process: two processes opening one data folder each believe
 * they own it, and corrupt it (a seed's rows never seen by the server, then `RuntimeError:
 * Aborted()` at the next start). So one process at a time holds the folder, recorded in
 * `<DATA_DIR>/pglite.lock`: its pid, host, command and start. Another process refuses at once with
 * a message naming the holder. A lock whose process is gone — killed with SIGKILL, the machine
 * restarted — is taken over: on the same host when its pid is not running (or is another process
 * now), from anywhere when its heartbeat (the file's mtime, touched every few seconds) is stale.
 */
export interface DataDirOwner {
  pid: number;
  hostname: string;
  command: string;
  started_at: string;
  /** Which process this pid was, on Linux: boot id and start time (a pid is reused). */
  process?: string;
  token: string;
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly directory: string,
    readonly owner: DataDirOwner,
  ) {
    super(
      `the embedded database in ${directory} is in use by another process ` +
        `(pid ${owner.pid}${owner.hostname === hostname() ? '' : ` on ${owner.hostname}`}: ` +
        `${owner.command}, since ${owner.started_at}). PGlite allows one process at a time: ` +
        'stop that process first (then run this again), or set DATABASE_URL to a PostgreSQL server ' +
        'to run several processes.',
    );
  }
}

const HEARTBEAT_MS = 5_000;
/** A lock not touched for this long belongs to a process that is gone, wherever it ran. */
const STALE_AFTER_MS = 30_000;
/** Folders this process holds: a second PGlite on one of them, in this process, corrupts it too. */
const heldHere = new Set<string>();

/** This process's identity on Linux (`/proc`): the boot and the start time of the pid. */
function processIdentity(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return `${boot}:${fields[19]}`;
  } catch {
    return undefined;
  }
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): DataDirOwner | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DataDirOwner;
  } catch {
    return undefined;
  }
}

function isStale(file: string, owner: DataDirOwner | undefined): boolean {
  let age: number;
  try {
    age = Date.now() - statSync(file).mtimeMs;
  } catch {
    return true;
  }
  if (age > STALE_AFTER_MS) return true;
  // Unreadable: a writer between creating the file and writing it, unless it is old.
  if (!owner) return age > 2_000;
  if (owner.hostname !== hostname()) return false;
  if (owner.pid === process.pid) return true;
  if (!running(owner.pid)) return true;
  const identity = processIdentity(owner.pid);
  return owner.process !== undefined && identity !== undefined && identity !== owner.process;
}

function tryCreate(file: string, owner: DataDirOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, `${JSON.stringify(owner, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

export interface DataDirLock {
  release(): void;
}

/** Takes `<directory>/pglite.lock`, or throws `DataDirInUseError` naming the process that holds it. */
export function lockDataDir(directory: string, command: string): DataDirLock {
  const file = join(directory, 'pglite.lock');
  const owner: DataDirOwner = {
    pid: process.pid,
    hostname: hostname(),
    command,
    started_at: new Date().toISOString(),
    ...(processIdentity(process.pid) ? { process: processIdentity(process.pid) } : {}),
    token: randomUUID(),
  };
  if (heldHere.has(file)) throw new DataDirInUseError(directory, { ...owner, command: 'this very process' });
  for (let attempt = 0; !tryCreate(file, owner); attempt++) {
    const holder = readOwner(file);
    if (!isStale(file, holder) || attempt >= 3) {
      if (holder) throw new DataDirInUseError(directory, holder);
      throw new Error(`could not take ${file}: remove it if no process uses ${directory}`);
    }
    takeOverStale(file, holder);
  }
  heldHere.add(file);
  const heartbeat = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(file, now, now);
    } catch {
      // Gone (the folder was removed): nothing to keep alive.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const release = () => {
    clearInterval(heartbeat);
    process.off('exit', release);
    if (!heldHere.delete(file)) return;
    if (readOwner(file)?.token === owner.token) unlinkSync(file);
  };
  // A process.exit() that skips close still lets go; a SIGKILL leaves the file, found stale later.
  process.on('exit', release);
  return { release };
}

/**
 * Removes a stale lock, unless another process removed it first and took the folder: only the
 * file whose contents were judged stale is removed (renamed away, then checked).
 */
function takeOverStale(file: string, stale: DataDirOwner | undefined): void {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readOwner(aside);
  if (stale && moved?.token !== stale.token) {
    // Someone else's fresh lock was moved: put it back if nothing took its place.
    tryRestore(aside, file);
    return;
  }
  unlinkSafe(aside);
}

function tryRestore(aside: string, file: string): void {
  try {
    linkSync(aside, file);
  } catch {
    // A new owner is already there.
  }
  unlinkSafe(aside);
}

function unlinkSafe(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
