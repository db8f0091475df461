// Holdfast's .automerge files are plain Automerge documents. These tests open
// one with the JavaScript implementation, check that it reads the same
// campaign, make an edit there, and merge that edit back into Holdfast.
//
// Holdfast stores text fields as Automerge scalar strings, which the
// JavaScript library reads as ImmutableString objects; a writer in JavaScript
// writes them back the same way. (A plain JavaScript string becomes a
// collaborative text object, which Holdfast refuses, see the last test.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import * as Automerge from '@automerge/automerge';

const binary = process.env.HOLDFAST_BIN;
if (!binary) {
  throw new Error('set HOLDFAST_BIN to the built holdfast program');
}

function holdfast(dataDir, ...args) {
  return execFileSync(binary, ['--data-dir', dataDir, ...args], { encoding: 'utf8' });
}

function holdfastJson(dataDir, ...args) {
  return JSON.parse(holdfast(dataDir, '--json', ...args));
}

const text = (value) => new Automerge.ImmutableString(value);
const plain = (value) => (value == null ? value : value.toString());

function newCampaign() {
  const dataDir = mkdtempSync(join(tmpdir(), 'holdfast-interop-'));
  holdfast(dataDir, 'init', 'Interop Campaign', '--local', 'Local 7');
  holdfast(dataDir, 'site', 'add', 'North Depot');
  holdfast(dataDir, 'member', 'add', 'Ana Ferreira', '--site', 'North Depot', '--role', 'steward');
  return dataDir;
}

test('an exported campaign opens in Automerge JS with the same content', () => {
  const dataDir = newCampaign();
  const file = join(dataDir, 'campaign.automerge');
  holdfast(dataDir, 'export', file);

  const doc = Automerge.load(readFileSync(file));
  assert.equal(plain(doc.holdfast.document), 'campaign');
  assert.equal(plain(doc.settings.settings.campaign_name), 'Interop Campaign');
  const members = Object.values(doc.members);
  assert.equal(members.length, 1);
  assert.equal(plain(members[0].name), 'Ana Ferreira');
  assert.deepEqual([...members[0].roles].map(plain), ['steward']);
  const site = Object.values(doc.sites)[0];
  assert.equal(plain(site.name), 'North Depot');
  assert.equal(plain(members[0].site_id), plain(site.id));

  const listed = holdfastJson(dataDir, 'member', 'list');
  assert.equal(listed[0].id, plain(members[0].id));
});

test('an edit made in Automerge JS merges back, alongside edits made in Holdfast meanwhile', () => {
  const dataDir = newCampaign();
  const file = join(dataDir, 'campaign.automerge');
  holdfast(dataDir, 'export', file);

  const id = randomUUID();
  const edited = Automerge.change(Automerge.load(readFileSync(file)), (doc) => {
    doc.members[id] = {
      id: text(id),
      name: text('Bea Okafor'),
      phone: null,
      email: text('bea@example.org'),
      site_id: null,
      department_id: null,
      roles: [text('member'), text('captain')],
      joined_on: text('2026-03-01'),
      teaches: [],
    };
  });
  // Meanwhile the steward adds someone in Holdfast.
  holdfast(dataDir, 'member', 'add', 'Chen Wei');

  const editedFile = join(dataDir, 'edited.automerge');
  writeFileSync(editedFile, Automerge.save(edited));
  holdfast(dataDir, 'import', editedFile);

  const names = holdfastJson(dataDir, 'member', 'list')
    .map((member) => member.name)
    .sort();
  assert.deepEqual(names, ['Ana Ferreira', 'Bea Okafor', 'Chen Wei']);
  const bea = holdfastJson(dataDir, 'member', 'list').find(
    (member) => member.name === 'Bea Okafor',
  );
  assert.deepEqual(bea.roles, ['member', 'captain']);

  // Importing the same file again changes nothing.
  const again = holdfastJson(dataDir, 'import', editedFile);
  assert.equal(again[0].changed, false);
});

test('a file that is not an Automerge document is refused and nothing changes', () => {
  const dataDir = newCampaign();
  const before = holdfast(dataDir, '--json', 'member', 'list');
  const garbage = join(dataDir, 'garbage.automerge');
  writeFileSync(garbage, Buffer.from('this is not a campaign at all'));
  const result = spawnSync(binary, ['--data-dir', dataDir, 'import', garbage], {
    encoding: 'utf8',
  });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /error: /);
  assert.equal(holdfast(dataDir, '--json', 'member', 'list'), before);
});

test('a document without a Holdfast header is refused with a clear reason', () => {
  const dataDir = newCampaign();
  const stranger = Automerge.change(Automerge.init(), (doc) => {
    doc.shopping = ['bread'];
  });
  const file = join(dataDir, 'stranger.automerge');
  writeFileSync(file, Automerge.save(stranger));
  const result = spawnSync(binary, ['--data-dir', dataDir, 'import', file], { encoding: 'utf8' });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /not a Holdfast/i);
});

test('a name written as collaborative text is refused, named, and nothing is saved', () => {
  const dataDir = newCampaign();
  const file = join(dataDir, 'campaign.automerge');
  holdfast(dataDir, 'export', file);
  const before = holdfast(dataDir, '--json', 'member', 'list');
  const id = randomUUID();
  const edited = Automerge.change(Automerge.load(readFileSync(file)), (doc) => {
    doc.members[id] = {
      id: text(id),
      name: 'Written As Text',
      phone: null,
      email: null,
      site_id: null,
      department_id: null,
      roles: [text('member')],
      joined_on: text('2026-03-01'),
      teaches: [],
    };
  });
  const editedFile = join(dataDir, 'text.automerge');
  writeFileSync(editedFile, Automerge.save(edited));
  const result = spawnSync(binary, ['--data-dir', dataDir, 'import', editedFile], {
    encoding: 'utf8',
  });
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /could not be read/);
  assert.equal(holdfast(dataDir, '--json', 'member', 'list'), before);
  // The refused merge left nothing behind: a later import of a good file works.
  holdfast(dataDir, 'import', file);
  assert.equal(holdfast(dataDir, '--json', 'member', 'list'), before);
});

// The attack that a paired member's phone could once make: export the
// campaign, make its own device a steward's with another Automerge program,
// import that, and sync. The phone itself refuses the file (its changes
// carry no signature of a paired device), and the hub never hears of it.
test('a member phone that rewrites its own role in Automerge JS gains nothing, on the phone or at the hub', async () => {
  const { spawn } = await import('node:child_process');
  const { createInterface } = await import('node:readline');
  const hubDir = newCampaign();
  holdfast(hubDir, 'member', 'add', 'Bea Okafor');
  const hub = spawn(
    binary,
    [
      '--data-dir',
      hubDir,
      'hub',
      '--address',
      '127.0.0.1',
      '--port',
      '0',
      '--discovery',
      'off',
      '--no-ui',
    ],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  try {
    const lines = createInterface({ input: hub.stdout });
    const first = await new Promise((resolve) => lines.once('line', resolve));
    const address = first.replace('Holdfast hub listening on ', '').trim();
    lines.on('line', () => {});
    const link = holdfastJson(
      hubDir,
      '--as',
      'Ana Ferreira',
      'invite',
      'Bea Okafor',
      '--role',
      'member',
      '--hub',
      address,
    ).link;
    const phoneDir = mkdtempSync(join(tmpdir(), 'holdfast-interop-phone-'));
    holdfast(phoneDir, 'pair', link);
    const deviceId = holdfastJson(phoneDir, 'whoami').device_id;

    const file = join(phoneDir, 'campaign.automerge');
    holdfast(phoneDir, 'export', file);
    const edited = Automerge.change(Automerge.load(readFileSync(file)), (doc) => {
      doc.devices[deviceId].role = text('steward');
    });
    const editedFile = join(phoneDir, 'edited.automerge');
    writeFileSync(editedFile, Automerge.save(edited));
    const result = spawnSync(binary, ['--data-dir', phoneDir, 'import', editedFile], {
      encoding: 'utf8',
    });
    assert.notEqual(result.status, 0, result.stdout);
    assert.match(result.stderr, /refused/);
    assert.match(result.stderr, /never paired/);

    holdfast(phoneDir, 'sync', '--discovery', 'off');
    const onHub = holdfastJson(hubDir, 'devices').find((device) => device.id === deviceId);
    assert.equal(onHub.role, 'member');
    const onPhone = holdfastJson(phoneDir, 'devices').find((device) => device.id === deviceId);
    assert.equal(onPhone.role, 'member');
    const documents = holdfastJson(phoneDir, 'documents').map((stored) => stored.document);
    assert.ok(!documents.includes('aid-private'), documents.join(', '));
  } finally {
    hub.kill();
  }
});
