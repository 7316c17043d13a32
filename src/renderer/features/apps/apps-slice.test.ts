/**
 * The apps slice through the real RPC client and dispatcher (in-memory transport), with a
 * scripted apps service standing in for the main process.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppInstanceStatus, AppsService, YamlApplyRequest, YamlApplyResult, YamlProgress } from '../../../shared/contract';
import { AppError } from '../../../shared/errors';
import { Emitter } from '../../../shared/event';
import { storeOver } from '../../store/store.test-support';
import { instanceKey, SCALE_DEBOUNCE_MS } from './apps-slice';

const status: AppInstanceStatus = {
  context: 'lab',
  namespace: 'vote',
  instance: 'vote',
  appId: 'azure-vote',
  title: 'Azure voting app',
  os: 'linux',
  deployments: [{ name: 'front', desired: 1, ready: 1, updated: 1, runningPods: 1, pendingPods: 0 }],
  services: [],
  replicaRanges: { front: { min: 0, max: 10 } },
  ready: true,
  objects: [],
};

function storeWith(scale: AppsService['scale'], statuses = new Emitter<AppInstanceStatus>()) {
  return storeOver((services) => ({
    apps: {
      ...services.apps,
      scale,
      list: () => Promise.resolve([status]),
      follow: () => Promise.resolve(status),
      onDidChangeStatus: statuses.event,
    },
  })).store;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('apps slice: sliders', () => {
  it('shows every move at once and scales once per gesture, with the last value', async () => {
    const scale = vi.fn(() => Promise.resolve());
    const store = storeWith(scale);
    await store.getState().loadAppInstances('lab');
    const key = instanceKey(status);
    for (const value of [2, 3, 4, 5]) store.getState().setReplicas(key, 'front', value);
    expect(store.getState().pendingReplicas[`${key}#front`]).toBe(5);
    expect(scale).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(SCALE_DEBOUNCE_MS);
    expect(scale).toHaveBeenCalledTimes(1);
    expect(scale).toHaveBeenCalledWith('lab', 'vote', 'vote', 'front', 5);
    // Confirmed: the pending value gives way to the cluster's desired count.
    expect(store.getState().pendingReplicas).toEqual({});
    expect(store.getState().appInstances[key]?.deployments[0]?.desired).toBe(5);
  });

  it('follows the cluster when someone else scales, and drops statuses of uninstalled instances', async () => {
    const statuses = new Emitter<AppInstanceStatus>();
    const store = storeWith(() => Promise.resolve(), statuses);
    await store.getState().loadAppInstances('lab');
    const key = instanceKey(status);
    statuses.fire({ ...status, deployments: [{ ...status.deployments[0]!, desired: 7 }] });
    expect(store.getState().appInstances[key]?.deployments[0]?.desired).toBe(7);
    statuses.fire({ ...status, instance: 'gone' });
    expect(Object.keys(store.getState().appInstances)).toEqual([key]);
  });

  it('puts the slider back to the cluster count and names the refusal when a scale fails', async () => {
    const store = storeWith(() => Promise.reject(new AppError('FORBIDDEN', 'forbidden')));
    await store.getState().loadAppInstances('lab');
    store.getState().setReplicas(instanceKey(status), 'front', 3);
    await vi.advanceTimersByTimeAsync(SCALE_DEBOUNCE_MS);
    expect(store.getState().appsError?.message).toBe('forbidden');
    expect(store.getState().appInstances[instanceKey(status)]?.deployments[0]?.desired).toBe(1);
    expect(store.getState().pendingReplicas).toEqual({});
  });
});

describe('apps slice: custom YAML', () => {
  function yamlStore(dryRunYaml: (request: YamlApplyRequest) => Promise<YamlApplyResult>) {
    const cancelYaml = vi.fn((_operationId: string) => Promise.resolve());
    const progress = new Emitter<YamlProgress>();
    const { store } = storeOver((services) => ({
      apps: { ...services.apps, dryRunYaml, applyYaml: dryRunYaml, cancelYaml, onDidYamlProgress: progress.event },
    }));
    return { store, cancelYaml, progress };
  }

  it('keeps the draft, shows progress of its own operation only, and can cancel it', async () => {
    let finish: (value: YamlApplyResult) => void = () => undefined;
    let operationId = '';
    const { store, cancelYaml, progress } = yamlStore((request) => {
      operationId = request.operationId ?? '';
      return new Promise((resolve) => (finish = resolve));
    });
    store.getState().editYamlDraft({ text: 'apiVersion: v1', namespace: 'team' });
    const running = store.getState().runYaml('lab', 'dry-run');
    progress.fire({ operationId: 'someone-else', dryRun: true, done: 9, total: 9 });
    progress.fire({ operationId, dryRun: true, done: 1, total: 3 });
    const state = store.getState().yaml;
    expect(state.phase === 'running' && state.progress).toEqual({ done: 1, total: 3 });
    await store.getState().cancelYaml();
    expect(cancelYaml).toHaveBeenCalledWith(operationId);
    finish({ status: 'done', dryRun: true, results: [], missingNamespaces: [], cancelled: true });
    await running;
    expect(store.getState().yaml.phase).toBe('done');
    expect(store.getState().yamlDraft).toMatchObject({ text: 'apiVersion: v1', namespace: 'team' });
  });

  it('clears an error once the text it was about changes', async () => {
    const { store } = yamlStore(() => Promise.reject(new AppError('UNREACHABLE', 'unreachable')));
    store.getState().editYamlDraft({ text: 'a: 1' });
    await store.getState().runYaml('lab', 'dry-run');
    expect(store.getState().yaml.phase).toBe('failed');
    store.getState().editYamlDraft({ text: 'a: 2' });
    expect(store.getState().yaml.phase).toBe('idle');
  });
});
