/**
 * The blue/green slice and its view helpers through the real RPC client and dispatcher (in-memory
 * transport, the contract's argument schemas), with a scripted blue/green service.
 */
import { describe, expect, it } from 'vitest';
import { defaultLabPlan, type BlueGreenPair, type BlueGreenService, type LabSummary } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { Dispatcher } from '../../../shared/rpc/dispatcher';
import { connectInMemory } from '../../../shared/rpc/in-memory';
import { createTestServices } from '../../../../tests/doubles/test-services';
import { createAppStore } from '../../store/app-store';
import { greenBlockedReason, greenVersions, pairOfLab, pairStateText, suggestedGreenName } from './blue-green-view';

const pair: BlueGreenPair = {
  blue: 'lab1',
  green: 'lab1-green',
  hostId: 'h1',
  blueVersion: '1.29.12',
  greenVersion: '1.30.8',
  active: 'blue',
  state: 'ready',
  apps: [],
  deleted: [],
  createdAt: '',
  updatedAt: '',
};

function lab(patch: Partial<LabSummary> = {}): LabSummary {
  const plan = { ...defaultLabPlan('h1', 'lab1'), kubernetesVersion: '1.29.12' };
  return { name: 'lab1', hostId: 'h1', status: 'ready', plan, machines: [], context: 'lab1', createdAt: '', updatedAt: '', ...patch };
}

function setup() {
  const changed = new Emitter<BlueGreenPair>();
  const removed = new Emitter<{ blue: string }>();
  const calls: unknown[][] = [];
  const service: BlueGreenService = {
    list: () => Promise.resolve([]),
    createGreen: (request) => {
      calls.push(['createGreen', request]);
      if (request.green === 'taken') return Promise.reject(new AppError('ALREADY_EXISTS', 'A lab named "taken" already exists.'));
      return Promise.resolve({ ...pair, state: 'creating-green' });
    },
    prepare: () => Promise.resolve({ ...pair, state: 'copying-apps' }),
    switchTo: (blue, side) => {
      calls.push(['switchTo', blue, side]);
      return Promise.resolve({ ...pair, active: side });
    },
    remove: (blue) => {
      calls.push(['remove', blue]);
      return Promise.resolve();
    },
    onDidChangePair: changed.event,
    onDidRemovePair: removed.event,
  };
  const link = connectInMemory(new Dispatcher({ ...createTestServices(), blueGreen: service }));
  const store = createAppStore({ api: link.api });
  return { store, calls, changed };
}

describe('the blue/green slice', () => {
  it('creates green, follows the pair, switches and closes the front door', async () => {
    const { store, calls, changed } = setup();
    expect(await store.getState().createGreenLab({ blue: 'lab1', green: 'lab1-green', kubernetesVersion: '1.30.8' })).toBe(true);
    expect(store.getState().blueGreenPairs).toEqual([expect.objectContaining({ state: 'creating-green' })]);
    changed.fire({ ...pair, state: 'ready' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(store.getState().blueGreenPairs).toEqual([expect.objectContaining({ state: 'ready' })]);
    await store.getState().switchBlueGreen('lab1', 'green');
    expect(store.getState().blueGreenPairs?.[0]?.active).toBe('green');
    await store.getState().removeBlueGreen('lab1');
    expect(store.getState().blueGreenPairs).toEqual([]);
    expect(calls).toEqual([
      ['createGreen', { blue: 'lab1', green: 'lab1-green', kubernetesVersion: '1.30.8' }],
      ['switchTo', 'lab1', 'green'],
      ['remove', 'lab1'],
    ]);
    expect(store.getState().blueGreenActions).toEqual({});
  });

  it('keeps a refusal for the lab’s panel, with its code', async () => {
    const { store } = setup();
    expect(await store.getState().createGreenLab({ blue: 'lab1', green: 'taken', kubernetesVersion: '1.30.8' })).toBe(false);
    expect(store.getState().blueGreenErrors.lab1).toMatchObject({ code: 'ALREADY_EXISTS', message: 'A lab named "taken" already exists.' });
    store.getState().dismissBlueGreenError('lab1');
    expect(store.getState().blueGreenErrors).toEqual({});
  });
});

describe('the blue/green view', () => {
  it('finds a lab’s pair on either side', () => {
    expect(pairOfLab([pair], 'lab1')).toEqual({ pair, side: 'blue' });
    expect(pairOfLab([pair], 'lab1-green')).toEqual({ pair, side: 'green' });
    expect(pairOfLab([pair], 'other')).toBeUndefined();
  });

  it('offers the other versions and a name, and says why a lab cannot have a green copy', () => {
    expect(greenVersions(lab())).not.toContain('1.29.12');
    expect(greenVersions(lab())).toContain('1.30.8');
    expect(suggestedGreenName('lab1')).toBe('lab1-green');
    expect(suggestedGreenName(`${'a'.repeat(39)}-`).length).toBeLessThanOrEqual(40);
    expect(greenBlockedReason(lab())).toBeUndefined();
    expect(greenBlockedReason(lab({ status: 'failed' }))).toMatch(/^A green lab is made from a ready lab/);
    expect(greenBlockedReason(lab({ plan: { ...lab().plan, driver: 'hyperv' } }))).toMatch(/Linux libvirt host/);
  });

  it('says what the pair does in words', () => {
    expect(pairStateText(pair)).toBe('The front door serves blue: lab1 (1.29.12).');
    expect(pairStateText({ ...pair, state: 'failed', error: { code: 'PROGRAM_FAILED', message: 'HAProxy refused it.' } })).toBe(
      'Stopped: HAProxy refused it.',
    );
  });
});
