#!/usr/bin/env node
// Runs the phone check-in sync workload against automerge-repo's own sync
// server, so that Holdfast's hub can be compared with what a user would pick
// instead of it.
//
// The workload: the server starts holding one action document. N phones each
// hold that same document, as they had it before going offline, and each
// records K check-ins while offline. Then they all sync through the server,
// at most --concurrency of them connected at once. At the end an observer
// fetches the document from the server and counts the check-ins, and the
// server's storage directory is read back once the server has stopped.
//
// Usage:
//   node sync-load.mjs --phones 500 --changes-per-phone 1 \
//     [--document action.automerge] [--concurrency 50] \
//     [--phone-timeout 120] [--save result.automerge]
//
// One JSON object with the figures goes to standard output; progress goes to
// standard error. The exit status is non-zero when any check-in is missing
// from the server, or from its storage, at the end.

import { spawn, execFileSync } from 'node:child_process';
import { randomUUID, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Automerge from '@automerge/automerge';
import { Repo, interpretAsDocumentId, stringifyAutomergeUrl } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';

const here = dirname(fileURLToPath(import.meta.url));

const { values: options } = parseArgs({
  options: {
    phones: { type: 'string', default: '500' },
    'changes-per-phone': { type: 'string', default: '1' },
    document: { type: 'string' },
    concurrency: { type: 'string', default: '50' },
    'phone-timeout': { type: 'string', default: '120' },
    save: { type: 'string' },
  },
  strict: true,
});

function positiveInteger(name) {
  const value = Number(options[name]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a whole number of at least 1, not ${options[name]}`);
  }
  return value;
}

const phoneCount = positiveInteger('phones');
const changesPerPhone = positiveInteger('changes-per-phone');
const concurrency = positiveInteger('concurrency');
const phoneTimeoutMs = positiveInteger('phone-timeout') * 1000;

// Standard output carries only the JSON report. automerge-repo prints some
// of its own complaints with console.log, so those go to standard error too.
console.log = (...parts) => console.error(...parts);

const log = (...parts) => console.error(`[sync-load ${new Date().toISOString().slice(11, 23)}]`, ...parts);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Holdfast stores text as Automerge scalar strings; a plain JavaScript string
// would become collaborative text, which Holdfast refuses to read.
const text = (value) => new Automerge.ImmutableString(value);
const plain = (value) => (value == null ? value : value.toString());

// ---------------------------------------------------------------------------
// Versions of what is actually installed, read from each package.json the way
// Node resolves them, so the report names the server's own nested copies too.

function installedVersion(name, fromDir) {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) {
      return { version: JSON.parse(readFileSync(candidate, 'utf8')).version, dir: dirname(candidate) };
    }
    const parent = dirname(dir);
    if (parent === dir) return { version: null, dir: null };
    dir = parent;
  }
}

const serverPackage = installedVersion('@automerge/automerge-repo-sync-server', here);
if (!serverPackage.dir) {
  throw new Error(`@automerge/automerge-repo-sync-server is not installed; run npm ci in ${here}`);
}
const serverRepo = installedVersion('@automerge/automerge-repo', serverPackage.dir);
const versions = {
  node: process.versions.node,
  client: {
    '@automerge/automerge': installedVersion('@automerge/automerge', here).version,
    '@automerge/automerge-repo': installedVersion('@automerge/automerge-repo', here).version,
    '@automerge/automerge-repo-network-websocket': installedVersion('@automerge/automerge-repo-network-websocket', here).version,
  },
  server: {
    '@automerge/automerge-repo-sync-server': serverPackage.version,
    '@automerge/automerge-repo': serverRepo.version,
    '@automerge/automerge': installedVersion('@automerge/automerge', serverRepo.dir).version,
    '@automerge/automerge-repo-network-websocket': installedVersion('@automerge/automerge-repo-network-websocket', serverPackage.dir).version,
    '@automerge/automerge-repo-storage-nodefs': installedVersion('@automerge/automerge-repo-storage-nodefs', serverPackage.dir).version,
  },
};

// ---------------------------------------------------------------------------
// The action document.

// A document shaped like the ones Holdfast writes for an action: a header,
// the action itself, shifts, sign-ups and earlier check-ins, each record
// added in its own change by one of a few devices, as Holdfast's history is.
function syntheticActionDocument() {
  const actionId = randomUUID();
  const starts = Date.parse('2026-11-21T05:00:00Z');
  const stamp = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const devices = Array.from({ length: 4 }, () => randomBytes(16).toString('hex'));
  const members = Array.from({ length: 60 }, () => randomUUID());
  let doc = Automerge.change(Automerge.init({ actor: devices[0] }), (d) => {
    d.holdfast = { document: text(`action:${actionId}`), format: 1 };
    d.action = {};
    d.action[actionId] = {
      id: text(actionId),
      title: text('Mass picket at Riverside Data Centre'),
      kind: text('mass_picket'),
      tactic: text('mass picket'),
      site_id: text(randomUUID()),
      starts_at: text(stamp(starts)),
      ends_at: text(stamp(starts + 12 * 3600e3)),
      cancelled: false,
      cadence_id: null,
      choke_point_ids: [text(randomUUID())],
    };
    for (const collection of ['checkins', 'circles', 'resolutions', 'rest_commitments', 'shifts', 'signups']) {
      d[collection] = {};
    }
  });
  const onDevice = (n, edit) => {
    doc = Automerge.change(Automerge.merge(Automerge.init({ actor: devices[n % devices.length] }), doc), edit);
  };
  const shifts = [];
  for (let s = 0; s < 3; s += 1) {
    const id = randomUUID();
    shifts.push(id);
    onDevice(0, (d) => {
      d.shifts[id] = {
        id: text(id),
        action_id: text(actionId),
        location: text(`Gate ${s + 1}`),
        starts_at: text(stamp(starts + s * 4 * 3600e3)),
        ends_at: text(stamp(starts + (s + 1) * 4 * 3600e3)),
        capacity: 20,
        captain_id: text(members[s]),
      };
    });
  }
  for (let i = 0; i < 40; i += 1) {
    const id = randomUUID();
    onDevice(i, (d) => {
      d.signups[id] = {
        id: text(id),
        shift_id: text(shifts[i % shifts.length]),
        member_id: text(members[i]),
        signed_up_at: text(stamp(starts - 86400e3)),
        withdrawn: false,
      };
    });
  }
  for (let i = 0; i < 100; i += 1) {
    const id = randomUUID();
    const member = members[Math.floor(i / 2)];
    onDevice(i, (d) => {
      d.checkins[id] = {
        id: text(id),
        action_id: text(actionId),
        shift_id: text(shifts[i % shifts.length]),
        member_id: text(member),
        kind: text(i % 2 === 0 ? 'in' : 'out'),
        at: text(stamp(starts + i * 60e3)),
        recorded_by: text(members[i % shifts.length]),
        device: text(randomUUID()),
        voided: false,
      };
    });
  }
  return Automerge.save(doc);
}

const documentBytes = options.document ? new Uint8Array(readFileSync(options.document)) : syntheticActionDocument();
const baseDoc = Automerge.load(documentBytes);
const header = plain(baseDoc.holdfast?.document);
if (!header || !header.startsWith('action:')) {
  throw new Error(`${options.document ?? 'the synthetic document'} is not a Holdfast action document (header: ${header})`);
}
if (!baseDoc.checkins) {
  throw new Error('the action document has no checkins collection');
}
const action = Object.values(baseDoc.action ?? {})[0];
const actionId = plain(action?.id) ?? header.slice('action:'.length);
const shiftIds = Object.values(baseDoc.shifts ?? {}).map((shift) => plain(shift.id));
// Check-ins name members who are already in the document where it has any,
// so the records look like the ones Holdfast writes; ids are all the same
// length, so this does not change the number of bytes on the wire.
const knownMembers = [
  ...new Set([
    ...Object.values(baseDoc.signups ?? {}).map((signup) => plain(signup.member_id)),
    ...Object.values(baseDoc.checkins).map((checkIn) => plain(checkIn.member_id)),
  ]),
];
const memberIds = knownMembers.length > 0 ? knownMembers : Array.from({ length: 60 }, () => randomUUID());
const checkInsBefore = Object.keys(baseDoc.checkins).length;
const actionStart = Date.parse(plain(action?.starts_at) ?? '2026-11-21T05:00:00Z');

// The automerge-repo document id is derived from the action's UUID, the way
// a Holdfast-aware client of automerge-repo would name the same document on
// every phone without asking the server.
const uuidHex = actionId.replace(/-/g, '');
const documentId = /^[0-9a-f]{32}$/i.test(uuidHex)
  ? interpretAsDocumentId(new Uint8Array(Buffer.from(uuidHex, 'hex')))
  : interpretAsDocumentId(new Uint8Array(randomBytes(16)));
const documentUrl = stringifyAutomergeUrl({ documentId });

// ---------------------------------------------------------------------------
// The server process.

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

function cpuSeconds(pid) {
  // Fields after the command name, which is in parentheses and may contain
  // spaces: utime and stime are the 14th and 15th fields of the whole line.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

function memoryMB(pid, key) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
  if (!match) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(port, dataDir, cwd) {
  const bin = JSON.parse(readFileSync(join(serverPackage.dir, 'package.json'), 'utf8')).bin;
  const entry = join(serverPackage.dir, typeof bin === 'string' ? bin : Object.values(bin)[0]);
  // Node runs the entry script directly, not through npx or a shell, so the
  // child's pid is the server itself and /proc figures are the server's own.
  // Its working directory is a scratch one because it serves ./public from
  // there.
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stderr.on('data', (chunk) => process.stderr.write(`[server] ${chunk}`));
  await new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error('the sync server did not start listening within 30 s')), 30_000);
    child.stdout.on('data', (chunk) => {
      process.stderr.write(`[server] ${chunk}`);
      output += chunk;
      if (/Listening on port/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the sync server exited before listening (code ${code}, signal ${signal})`));
    });
  });
  return { child, exited };
}

// The server's NodeFSStorageAdapter keeps a document under
// <dir>/<first two characters of its id>/<the rest>/, as snapshot and
// incremental chunks (plus sync states, which are not document data). Loading
// the chunks together gives the document as the server would reload it.
function loadStoredDocument(dataDir, docId) {
  const docDir = join(dataDir, docId.slice(0, 2), docId.slice(2));
  const chunks = [];
  for (const kind of ['snapshot', 'incremental']) {
    const kindDir = join(docDir, kind);
    if (!existsSync(kindDir)) continue;
    for (const name of readdirSync(kindDir)) {
      const path = join(kindDir, name);
      if (statSync(path).isFile()) chunks.push(readFileSync(path));
    }
  }
  if (chunks.length === 0) return null;
  try {
    return Automerge.load(new Uint8Array(Buffer.concat(chunks)));
  } catch {
    // A chunk caught halfway through being written; the caller tries again.
    return null;
  }
}

// ---------------------------------------------------------------------------
// Counting what goes over each phone's WebSocket.

// A phone's traffic and the round trips it waited for. A round trip is
// counted each time a frame from the server arrives after the phone has sent
// at least one frame since the previous counted one, up to the moment the
// phone knows the server holds its check-ins: that is, each time the phone
// sent something and then had to wait for the server to answer. The
// automerge-repo join message and the server's peer reply are the first one.
// Frames the server pushes without the phone having said anything since (the
// server forwarding other phones' check-ins) do not count as a round trip,
// and neither does the TCP and HTTP upgrade handshake that precedes the join.
// Bytes and messages, unlike round trips, cover the whole connection until it
// has closed, including any frames still in flight when the phone is done.
class Meter {
  bytesUp = 0;
  bytesDown = 0;
  messagesUp = 0;
  messagesDown = 0;
  roundTrips = 0;
  socketErrors = 0;
  done = false;
  #sentSinceLastReply = false;
  #sockets = [];

  get sockets() {
    return this.#sockets.length;
  }

  attach(socket) {
    const closed = new Promise((resolve) => socket.once('close', resolve));
    this.#sockets.push({ socket, closed });
    // The adapter removes its own error listener when it disconnects, and
    // closing a socket that is still connecting then raises an error event
    // with no listener, which would end the process. This listener stays.
    socket.on('error', () => {
      this.socketErrors += 1;
    });
    const send = socket.send.bind(socket);
    socket.send = (data, ...rest) => {
      this.bytesUp += byteLength(data);
      this.messagesUp += 1;
      if (!this.done) this.#sentSinceLastReply = true;
      return send(data, ...rest);
    };
    // prependListener puts this ahead of the adapter's own listener, so a
    // frame is counted before the phone reacts to it (and possibly replies
    // within the same turn of the event loop).
    socket.prependListener('message', (data) => {
      this.bytesDown += byteLength(data);
      this.messagesDown += 1;
      if (!this.done && this.#sentSinceLastReply) {
        this.roundTrips += 1;
        this.#sentSinceLastReply = false;
      }
    });
  }

  // Resolves once every socket this phone opened has closed, so a phone
  // leaves its concurrency slot only when its connections are really gone.
  // The adapter closes only its current socket; one it gave up on while it
  // was still connecting is left open by the library, and is ended here.
  async closed() {
    for (const { socket } of this.#sockets) {
      if (socket.readyState !== socket.CLOSED && socket.readyState !== socket.CLOSING) socket.terminate();
    }
    await Promise.all(this.#sockets.map(({ closed }) => closed));
  }
}

function byteLength(data) {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.byteLength, 0);
  if (typeof data === 'string') return Buffer.byteLength(data);
  return data.byteLength;
}

// The stock client adapter, with each socket it opens handed to a Meter as
// soon as it exists and before it is open, so no frame is missed. Its
// reconnection policy is left as it is (try again every 5 s), with two
// exceptions that would otherwise break the run rather than measure it:
// - a reconnection already scheduled when the phone disconnects on purpose
//   would open a new connection after the phone is done, so once stopped the
//   adapter no longer connects;
// - the adapter throws from its socket error listener for anything but a
//   refused connection, which would end the whole benchmark over one phone's
//   reset connection; the Meter counts such errors instead, and the
//   adapter's own retry takes over.
class MeteredWebSocketClientAdapter extends WebSocketClientAdapter {
  stopped = false;

  constructor(url, meter) {
    super(url);
    this.meter = meter;
    const onError = this.onError;
    this.onError = (event) => {
      try {
        onError(event);
      } catch {
        // Counted by the Meter's own error listener.
      }
    };
  }

  connect(peerId, peerMetadata) {
    if (this.stopped) return;
    super.connect(peerId, peerMetadata);
    this.meter.attach(this.socket);
  }

  disconnect() {
    this.stopped = true;
    super.disconnect();
  }
}

// Resolves when the server has told this repo that its copy of the document
// includes every one of `wanted` (heads in automerge-repo's encoding).
// automerge-repo raises "remote-heads" on the handle whenever the heads the
// server last announced in the sync protocol change; the server announces its
// heads after applying what it was sent. A server head equal to the phone's
// own head means the server holds that change and, as a change is only
// applied with all it depends on, all the phone's earlier changes too. In
// this workload nothing is ever built on top of a phone's offline check-ins
// while that phone is connected, so the phone's heads appear in the server's
// heads literally once the server has them.
function serverHolds(handle, wanted, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      handle.off('remote-heads', check);
      reject(new Error(`${what}: the server did not confirm its changes within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    function check({ heads }) {
      if (wanted.every((head) => heads.includes(head))) {
        clearTimeout(timer);
        handle.off('remote-heads', check);
        resolve();
      }
    }
    handle.on('remote-heads', check);
  });
}

// ---------------------------------------------------------------------------
// The run.

const scratch = mkdtempSync(join(tmpdir(), 'holdfast-automerge-repo-'));
const dataDir = join(scratch, 'storage');
const port = await freePort();
const url = `ws://127.0.0.1:${port}`;
let server;

// Whatever ends this process, the server and its storage go with it: an
// uncaught error skips the cleanup below, and a server left running would
// keep its port and skew the next run's figures.
process.on('exit', () => {
  if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});
process.on('uncaughtException', (error) => {
  log(`failed: ${error.stack ?? error}`);
  process.exit(1);
});

async function stopServer() {
  if (server && server.child.exitCode === null && server.child.signalCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
}

try {
  log(`document ${options.document ?? '(synthetic)'}: ${documentBytes.byteLength} bytes, ` +
    `${Automerge.getAllChanges(baseDoc).length} changes, ${checkInsBefore} check-ins, automerge-repo id ${documentId}`);
  server = await startServer(port, dataDir, scratch);
  log(`sync server pid ${server.child.pid} on ${url}, storage in ${dataDir}`);

  // Seeding: one client puts the document in through its repo, waits until
  // the server both reports the document's heads and has written them to its
  // storage, then disconnects, as the first device to share it would.
  {
    const meter = new Meter();
    const seedRepo = new Repo({ network: [], peerId: 'seed', sharePolicy: async () => true });
    const handle = seedRepo.import(documentBytes, { docId: documentId });
    const wanted = handle.heads();
    const held = serverHolds(handle, wanted, 30_000, 'seeding');
    seedRepo.networkSubsystem.addNetworkAdapter(new MeteredWebSocketClientAdapter(url, meter));
    await held;
    const hexHeads = Automerge.getHeads(baseDoc);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const stored = loadStoredDocument(dataDir, documentId);
      if (stored && Automerge.hasHeads(stored, hexHeads)) break;
      if (Date.now() > deadline) throw new Error('seeding: the server did not write the document to storage within 30 s');
      await sleep(50);
    }
    await seedRepo.shutdown();
    await meter.closed();
    log(`seeded: ${meter.bytesUp} bytes up, ${meter.bytesDown} bytes down`);
  }

  // Let the server finish with the seeding connection before taking its idle
  // figures.
  await sleep(1000);
  const idleMemoryMB = memoryMB(server.child.pid, 'VmRSS');

  // Each phone starts from the document bytes it had before going offline
  // and records its check-ins there, one change each, before the clock
  // starts; only the syncing is measured.
  const phones = [];
  for (let p = 0; p < phoneCount; p += 1) {
    const repo = new Repo({ network: [], peerId: `phone-${p}`, sharePolicy: async () => true });
    const handle = repo.import(documentBytes, { docId: documentId });
    const device = randomUUID();
    const recorder = memberIds[p % memberIds.length];
    const checkInIds = [];
    for (let c = 0; c < changesPerPhone; c += 1) {
      const id = randomUUID();
      checkInIds.push(id);
      // One check-in by the phone's member for themself, or, when a phone
      // records several, a captain checking in the people at their gate.
      const member = changesPerPhone === 1 ? recorder : memberIds[(p * changesPerPhone + c) % memberIds.length];
      const at = new Date(actionStart + (p * changesPerPhone + c) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      handle.change((d) => {
        d.checkins[id] = {
          id: text(id),
          action_id: text(actionId),
          shift_id: shiftIds.length > 0 ? text(shiftIds[p % shiftIds.length]) : null,
          member_id: text(member),
          kind: text('in'),
          at: text(at),
          recorded_by: text(recorder),
          device: text(device),
          voided: false,
        };
      });
    }
    phones.push({ index: p, repo, handle, checkInIds, meter: new Meter(), syncMillis: null, error: null });
  }
  const expectedIds = phones.flatMap((phone) => phone.checkInIds);
  log(`${phoneCount} phones ready offline with ${changesPerPhone} check-in(s) each; syncing ${concurrency} at a time`);

  async function syncPhone(phone) {
    const started = performance.now();
    const adapter = new MeteredWebSocketClientAdapter(url, phone.meter);
    try {
      const held = serverHolds(phone.handle, phone.handle.heads(), phoneTimeoutMs, `phone ${phone.index}`);
      phone.repo.networkSubsystem.addNetworkAdapter(adapter);
      await held;
      phone.meter.done = true;
      phone.syncMillis = performance.now() - started;
    } catch (error) {
      const m = phone.meter;
      phone.error = `${error.message} (peer ${adapter.remotePeerId ? 'joined' : 'never joined'}, ` +
        `${m.messagesUp} frames up, ${m.messagesDown} down, ${m.sockets} socket(s))`;
      log(phone.error);
    } finally {
      await phone.repo.shutdown();
      await phone.meter.closed();
      // Drop the phone's repo so that 500 of them are not all kept alive.
      phone.repo = null;
      phone.handle = null;
    }
  }

  // Other work on the machine slows the phones and the server alike; the
  // load average goes into the report so a figure taken on a busy machine
  // can be recognised as such.
  const loadBefore = loadavg()[0];
  const cpuBefore = cpuSeconds(server.child.pid);
  // The phones' side is measured too: all of them run on this one thread, and
  // when it is busy nearly all the time the phones, not the server, set the
  // pace, and every phone stays connected longer than it needs to.
  const clientCpuBefore = process.cpuUsage();
  const loopBefore = performance.eventLoopUtilization();
  // How late this thread gets to each phone's incoming frames. The server
  // pings every connection every 5 s and drops one whose answer has not
  // arrived by the next ping, so delays of that order show up as
  // reconnections.
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  const wallStarted = performance.now();
  let next = 0;
  let finished = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, phoneCount) }, async () => {
      while (next < phones.length) {
        const phone = phones[next];
        next += 1;
        await syncPhone(phone);
        finished += 1;
        if (finished % 50 === 0 || finished === phones.length) log(`${finished}/${phones.length} phones synced`);
      }
    }),
  );
  const wallSeconds = (performance.now() - wallStarted) / 1000;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const clientLoop = performance.eventLoopUtilization(loopBefore);
  loopDelay.disable();
  const loadAfter = loadavg()[0];
  // The server saves to storage at most every 100 ms after a change; half a
  // second more lets that last save land inside the CPU figure.
  await sleep(500);
  const serverCpuSeconds = cpuSeconds(server.child.pid) - cpuBefore;
  const peakMemoryMB = memoryMB(server.child.pid, 'VmHWM');
  const endMemoryMB = memoryMB(server.child.pid, 'VmRSS');

  // An observer that had nothing fetches the document from the server, and
  // counts once its heads equal the heads the server reports, i.e. once it
  // holds everything the server holds.
  let found;
  let checkInsOnServer;
  let savedDoc;
  {
    const meter = new Meter();
    const observer = new Repo({
      network: [],
      peerId: 'observer',
      // The share policy also decides whom a repo asks for a document it
      // lacks; with it off, the observer would give up without asking.
      sharePolicy: async () => true,
    });
    try {
      // The repo treats its network as ready after one second even if the
      // server has not answered the join by then, and a document it then
      // finds nobody to ask for is "unavailable"; so the observer asks only
      // once the server is its peer.
      const joined = new Promise((resolve) => observer.networkSubsystem.once('peer', resolve));
      observer.networkSubsystem.addNetworkAdapter(new MeteredWebSocketClientAdapter(url, meter));
      await joined;
      const handle = await observer.find(documentUrl);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const storageId = observer.getStorageIdOfPeer(observer.peers[0]);
        const remote = storageId ? handle.getSyncInfo(storageId)?.lastHeads : undefined;
        const local = handle.heads();
        if (remote && remote.length === local.length && remote.every((head) => local.includes(head))) break;
        if (Date.now() > deadline) throw new Error('the observer did not catch up with the server within 60 s');
        await sleep(50);
      }
      savedDoc = handle.doc();
      checkInsOnServer = Object.keys(savedDoc.checkins).length;
      found = expectedIds.filter((id) => savedDoc.checkins[id] && plain(savedDoc.checkins[id].id) === id).length;
      // A phone that gave up may still have delivered its check-ins without
      // hearing back; this tells a lost check-in from a missed confirmation.
      for (const phone of phones) {
        phone.onServer = phone.checkInIds.every((id) => savedDoc.checkins[id] !== undefined);
      }
    } finally {
      await observer.shutdown();
      await meter.closed();
    }
  }
  if (options.save) writeFileSync(options.save, Automerge.save(savedDoc));

  // What the server would have after a restart: its storage, read once it
  // has stopped.
  await stopServer();
  const stored = loadStoredDocument(dataDir, documentId);
  const onDisk = stored ? expectedIds.filter((id) => stored.checkins?.[id]).length : 0;

  const failed = phones.filter((phone) => phone.error !== null);
  const stats = (pick) => {
    const values = phones.map(pick).filter((value) => value !== null);
    if (values.length === 0) return { mean: null, max: null };
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    return { mean: Math.round(mean * 100) / 100, max: Math.max(...values) };
  };
  const report = {
    implementation: 'automerge-repo-sync-server',
    workload: {
      phones: phoneCount,
      changesPerPhone,
      concurrency,
      document: options.document ?? 'synthetic',
      documentBytes: documentBytes.byteLength,
      documentChanges: Automerge.getAllChanges(baseDoc).length,
      checkInsBefore,
    },
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    perPhone: {
      bytesUp: stats((phone) => phone.meter.bytesUp),
      bytesDown: stats((phone) => phone.meter.bytesDown),
      messagesUp: stats((phone) => phone.meter.messagesUp),
      messagesDown: stats((phone) => phone.meter.messagesDown),
      roundTrips: stats((phone) => (phone.error ? null : phone.meter.roundTrips)),
      syncMillis: stats((phone) => (phone.syncMillis === null ? null : Math.round(phone.syncMillis))),
      reconnects: stats((phone) => phone.meter.sockets - 1),
      socketErrors: stats((phone) => phone.meter.socketErrors),
    },
    totals: {
      bytesUp: phones.reduce((sum, phone) => sum + phone.meter.bytesUp, 0),
      bytesDown: phones.reduce((sum, phone) => sum + phone.meter.bytesDown, 0),
    },
    server: {
      pid: server.child.pid,
      cpuSeconds: Math.round(serverCpuSeconds * 1000) / 1000,
      peakMemoryMB: Math.round(peakMemoryMB * 10) / 10,
      idleMemoryMB: Math.round(idleMemoryMB * 10) / 10,
      endMemoryMB: Math.round(endMemoryMB * 10) / 10,
    },
    client: {
      cpuSeconds: Math.round(((clientCpu.user + clientCpu.system) / 1e6) * 1000) / 1000,
      eventLoopUtilization: Math.round(clientLoop.utilization * 1000) / 1000,
      eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
      eventLoopDelayMaxMs: Math.round(loopDelay.max / 1e6),
    },
    checkIns: {
      expected: expectedIds.length,
      found,
      onDisk,
      onServerTotal: checkInsOnServer,
    },
    machine: {
      cpus: availableParallelism(),
      loadAverage1mBefore: loadBefore,
      loadAverage1mAfter: loadAfter,
    },
    phonesFailed: failed.length,
    phonesFailedWhoseCheckInsReachedTheServer: failed.filter((phone) => phone.onServer).length,
    versions,
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const ok = found === expectedIds.length && onDisk === expectedIds.length && failed.length === 0;
  log(ok ? `all ${expectedIds.length} check-ins reached the server` : `MISSING: ${expectedIds.length - found} check-ins not on the server, ${expectedIds.length - onDisk} not in its storage, ${failed.length} phones failed`);
  process.exitCode = ok ? 0 : 1;
} catch (error) {
  log(`failed: ${error.stack ?? error}`);
  process.exitCode = 1;
} finally {
  await stopServer();
  rmSync(scratch, { recursive: true, force: true });
  // Repos that were shut down can still hold a timer or two (the adapter's
  // one-second readiness fallback); they must not keep the figures waiting.
  setTimeout(() => process.exit(), 100).unref();
}
