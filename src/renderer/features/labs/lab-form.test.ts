import { describe, expect, it } from 'vitest';
import { defaultLabPlan, type LabPlan } from '../../../shared/contract';
import { labPlanSchema } from '../../../shared/schemas/labs';
import {
  applyEdit,
  draftFromPlan,
  errorsFromProblems,
  nameProblem,
  networkNote,
  nextLabName,
  planFromDraft,
  typedAfterEdit,
  usedSizeRoles,
  type LabDraft,
  type NetworkLayoutField,
} from './lab-form';

const full: LabPlan = {
  ...defaultLabPlan('h1', 'lab7'),
  controlPlaneCount: 3,
  cni: 'calico',
  windowsWorkers: 2,
  sizes: { ...defaultLabPlan('h1').sizes, linuxWorker: { preset: 'custom', cpus: 3, memoryMiB: 3000, diskGiB: 33 } },
  network: {
    mode: 'bridge',
    bridge: 'br0',
    cidr: '10.1.0.0/24',
    poolStart: '10.1.0.50',
    poolEnd: '10.1.0.90',
    podCidr: '10.245.0.0/16',
    serviceCidr: '10.97.0.0/16',
    loadBalancerStart: '10.1.0.200',
    loadBalancerEnd: '10.1.0.210',
  },
  apiEndpoint: { host: '10.1.0.10', port: 8443, address: '10.1.0.10' },
  windowsBaseImage: '/srv/win2022.qcow2',
  offlineBundle: '/home/me/bundle',
  registryMirror: 'https://mirror.lab:5000',
};

describe('lab plan form: conversion', () => {
  it('turns a plan into a draft and back without changing it, in a shape the contract schema accepts', () => {
    for (const plan of [defaultLabPlan('h1'), full]) {
      const { plan: back, errors } = planFromDraft(draftFromPlan(plan));
      expect(errors).toEqual({});
      expect(back).toEqual(plan);
      expect(labPlanSchema.safeParse(back).success).toBe(true);
    }
  });

  it('leaves out empty optional fields, the bridge in NAT mode, and existing machines for other drivers', () => {
    let draft = draftFromPlan(full);
    draft = {
      ...draft,
      offlineBundle: ' ',
      registryMirror: '',
      'network.mode': 'nat',
      existingMachines: [{ hostId: 'h2', role: 'linux-worker' }],
    };
    const { plan } = planFromDraft(draft);
    expect(plan).not.toHaveProperty('offlineBundle');
    expect(plan).not.toHaveProperty('registryMirror');
    expect(plan?.network).not.toHaveProperty('bridge');
    expect(plan).not.toHaveProperty('existingMachines');
    expect(planFromDraft({ ...draft, driver: 'existing' }).plan?.existingMachines).toEqual([{ hostId: 'h2', role: 'linux-worker' }]);
  });

  it('sends 0 Windows workers with k3s but keeps the count for when kubeadm comes back', () => {
    const draft = { ...draftFromPlan(full), distribution: 'k3s' as const };
    expect(planFromDraft(draft).plan?.windowsWorkers).toBe(0);
    expect(draft.windowsWorkers).toBe(2);
    expect(usedSizeRoles(draft)).toEqual(['controlPlane', 'linuxWorker']);
  });

  it('a preset fills its numbers; typing a number makes the size custom', () => {
    let draft = draftFromPlan(defaultLabPlan('h1'));
    draft = applyEdit(draft, 'sizes.linuxWorker.preset', 'large', []);
    expect(draft).toMatchObject({
      'sizes.linuxWorker.cpus': '4',
      'sizes.linuxWorker.memoryMiB': '8192',
      'sizes.linuxWorker.diskGiB': '60',
    });
    draft = applyEdit(draft, 'sizes.linuxWorker.memoryMiB', '6144', []);
    expect(draft['sizes.linuxWorker.preset']).toBe('custom');
    expect(planFromDraft(draft).plan?.sizes.linuxWorker).toEqual({ preset: 'custom', cpus: 4, memoryMiB: 6144, diskGiB: 60 });
  });

  it('ignores unparsable numbers of sizes the plan does not use', () => {
    const draft = { ...draftFromPlan(defaultLabPlan('h1')), 'sizes.etcd.cpus': 'x' };
    expect(planFromDraft(draft).errors).toEqual({});
  });
});

describe('lab plan form: messages', () => {
  it('explains the DNS-label rule for names', () => {
    expect(nameProblem('lab1')).toBeUndefined();
    expect(nameProblem('')).toBe('Enter a name for the lab, e.g. lab1.');
    expect(nameProblem('Lab_1')).toBe(
      '"Lab_1" is not a DNS label: use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. lab1).',
    );
    expect(nameProblem('-lab')).toContain('is not a DNS label');
    expect(nameProblem('a'.repeat(41))).toContain('longer than 40 characters');
  });

  it('names each field to fix, with the fix', () => {
    const draft = {
      ...draftFromPlan(defaultLabPlan('')),
      kubernetesVersion: '1.30',
      'apiEndpoint.port': '70000',
      'sizes.controlPlane.memoryMiB': '4 GiB',
      'network.cidr': '',
    };
    expect(planFromDraft(draft)).toEqual({
      errors: {
        hostId: 'Choose the lab host (add one in the Hosts view first).',
        kubernetesVersion: '"1.30" is not a Kubernetes version: use major.minor.patch, e.g. 1.30.8.',
        'apiEndpoint.port': 'Enter a port from 1 to 65535 (usually 6443).',
        'network.cidr': 'Enter the VM network in CIDR form, e.g. 192.168.150.0/24.',
        'sizes.controlPlane.memoryMiB': 'Enter the memory in MiB as a whole number, e.g. 4096.',
      },
    });
  });

  it('refuses a version older than the version table before a round trip, with the oldest one that works', () => {
    const draft = { ...draftFromPlan(defaultLabPlan('host-1')), kubernetesVersion: '1.18.20' };
    expect(planFromDraft(draft).errors.kubernetesVersion).toBe(
      'Kubernetes 1.18 is older than Nestlab sets up: choose 1.19 or newer, e.g. 1.30.8.',
    );
    expect(planFromDraft({ ...draft, kubernetesVersion: '1.20.2' }).errors.kubernetesVersion).toBeUndefined();
  });

  it('keeps Windows workers tainted by default and says so in the plan only when the user turned it off', () => {
    const draft = { ...draftFromPlan(defaultLabPlan('host-1')), windowsWorkers: 1, windowsBaseImage: 'C:\\win.vhdx' };
    expect(draft.taintWindowsWorkers).toBe(true);
    expect(planFromDraft(draft).plan?.taintWindowsWorkers).toBeUndefined();
    const off = planFromDraft({ ...draft, taintWindowsWorkers: false }).plan;
    expect(off?.taintWindowsWorkers).toBe(false);
    expect(draftFromPlan(off!).taintWindowsWorkers).toBe(false);
    expect(planFromDraft({ ...draft, taintWindowsWorkers: false, windowsWorkers: 0 }).plan?.taintWindowsWorkers).toBeUndefined();
  });

  it('joins the service problems of one field into one message with their fixes', () => {
    expect(
      errorsFromProblems([
        { field: 'network.poolEnd', message: 'The pool ends before it starts.', fix: 'Swap the pool start and end.' },
        { field: 'network.poolEnd', message: 'The pool has 0 addresses for 3 VMs.', fix: 'Widen the pool.' },
      ]),
    ).toEqual({
      'network.poolEnd': 'The pool ends before it starts. Swap the pool start and end. The pool has 0 addresses for 3 VMs. Widen the pool.',
    });
  });

  it('suggests the first free labN', () => {
    expect(nextLabName([{ name: 'lab1' }, { name: 'lab3' }])).toBe('lab2');
  });
});

describe('lab plan form: a typed network lays out its other fields', () => {
  const laidOut = (draft: LabDraft) => ({
    pool: `${draft['network.poolStart']}-${draft['network.poolEnd']}`,
    loadBalancer: `${draft['network.loadBalancerStart']}-${draft['network.loadBalancerEnd']}`,
    endpoint: draft['apiEndpoint.address'],
  });
  /** Types text into a field one character at a time, as the store does: each keystroke is an edit. */
  const type = (start: { draft: LabDraft; typed: NetworkLayoutField[] }, field: 'network.cidr' | NetworkLayoutField, text: string) => {
    let { draft, typed } = start;
    draft = applyEdit(draft, field, '', [], typed);
    typed = typedAfterEdit(typed, field, '');
    for (let length = 1; length <= text.length; length += 1) {
      draft = applyEdit(draft, field, text.slice(0, length), [], typed);
      typed = typedAfterEdit(typed, field, text.slice(0, length));
    }
    return { draft, typed };
  };
  const fresh = () => ({ draft: draftFromPlan(defaultLabPlan('h1')), typed: [] as NetworkLayoutField[] });

  it('moves the pool, LoadBalancer range and endpoint address into a network typed keystroke by keystroke', () => {
    const { draft } = type(fresh(), 'network.cidr', '10.30.5.0/24');
    expect(laidOut(draft)).toEqual({ pool: '10.30.5.100-10.30.5.199', loadBalancer: '10.30.5.200-10.30.5.239', endpoint: '10.30.5.10' });
    expect(planFromDraft(draft).errors).toEqual({});
    expect(laidOut(type(fresh(), 'network.cidr', '10.30.5.0/28').draft)).toEqual({
      pool: '10.30.5.6-10.30.5.11',
      loadBalancer: '10.30.5.12-10.30.5.14',
      endpoint: '10.30.5.2',
    });
  });

  it('leaves a field the user typed as it is, and lets it follow again once emptied', () => {
    let state = type(fresh(), 'network.loadBalancerStart', '192.168.150.220');
    state = type(state, 'network.cidr', '10.30.5.0/24');
    expect(state.draft['network.loadBalancerStart']).toBe('192.168.150.220');
    expect(laidOut(state.draft)).toMatchObject({ pool: '10.30.5.100-10.30.5.199', endpoint: '10.30.5.10' });
    expect(state.draft['network.loadBalancerEnd']).toBe('10.30.5.239');

    state = type(state, 'network.loadBalancerStart', '');
    state = type(state, 'network.cidr', '10.40.0.0/24');
    expect(state.draft['network.loadBalancerStart']).toBe('10.40.0.200');
  });

  it('moves the LoadBalancer range and the endpoint address out of the way of a pool the user typed', () => {
    let state = type(fresh(), 'network.cidr', '10.30.5.0/24');
    state = type(state, 'network.poolStart', '10.30.5.2');
    // .10 is in the pool now: the endpoint takes the first address after it and the LoadBalancer range the rest.
    expect(laidOut(state.draft)).toEqual({
      pool: '10.30.5.2-10.30.5.199',
      loadBalancer: '10.30.5.201-10.30.5.239',
      endpoint: '10.30.5.200',
    });
  });

  it('keeps every laid-out field while the network is not one, and says why with the fix', () => {
    const before = fresh().draft;
    for (const text of ['192.168.16', '192.168.160.5/24', '192.168.160.0/30', 'lab net']) {
      const draft = applyEdit(before, 'network.cidr', text, []);
      expect(laidOut(draft)).toEqual(laidOut(before));
      expect(networkNote(draft).problem).toBe(true);
      expect(planFromDraft(draft).errors['network.cidr']).toBe(networkNote(draft).text);
    }
    expect(networkNote(applyEdit(before, 'network.cidr', '192.168.160.5/24', [])).text).toBe(
      '192.168.160.5/24 does not start at its network address. Use 192.168.160.0/24. The pool, LoadBalancer range and endpoint address keep their values until it is one.',
    );
  });
});
