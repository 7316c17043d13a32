import { describe, expect, it } from 'vitest';
import type { BlueGreenPair } from '../../../shared/contract/blue-green';
import { allocateFrontDoorPorts, frontDoorConfig, frontDoorInstance, listeningPorts, switchProblem } from './front-door-config';

const pair: BlueGreenPair = {
  blue: 'lab1',
  green: 'lab1-green',
  hostId: 'h1',
  blueVersion: '1.29.12',
  greenVersion: '1.30.8',
  active: 'blue',
  state: 'ready',
  apps: [
    {
      namespace: 'default',
      instance: 'vote',
      appId: 'azure-vote',
      scheme: 'http',
      path: '/',
      hostPort: 18080,
      backends: { blue: '192.168.150.200:80', green: '192.168.151.200:80' },
      url: 'http://10.0.0.5:18080/',
    },
    {
      namespace: 'shop',
      instance: 'web',
      appId: 'aspnet',
      scheme: 'https',
      path: '/',
      hostPort: 18081,
      backends: { blue: '192.168.150.201:443', green: '192.168.151.201:443' },
      url: 'https://10.0.0.5:18081/',
    },
  ],
  deleted: [],
  createdAt: '2026-12-02T19:00:00.000Z',
  updatedAt: '2026-12-02T19:00:00.000Z',
};

describe('the front door configuration', () => {
  it('has one frontend per app on its host port, the inactive side disabled', () => {
    expect(frontDoorConfig(pair)).toMatchSnapshot();
  });

  it('switches by one word per app: the port and both addresses stay', () => {
    const blue = frontDoorConfig(pair).split('\n');
    const green = frontDoorConfig({ ...pair, active: 'green' }).split('\n');
    const changed = blue.flatMap((line, index) => (line === green[index] ? [] : [[line, green[index]]]));
    expect(changed).toEqual([
      [expect.stringContaining('serving blue'), expect.stringContaining('serving green')],
      ['    server blue 192.168.150.200:80', '    server blue 192.168.150.200:80 disabled'],
      ['    server green 192.168.151.200:80 disabled', '    server green 192.168.151.200:80'],
      ['    server blue 192.168.150.201:443', '    server blue 192.168.150.201:443 disabled'],
      ['    server green 192.168.151.201:443 disabled', '    server green 192.168.151.201:443'],
    ]);
  });

  it('leaves out a side an app has no address on yet', () => {
    const [first] = pair.apps;
    const config = frontDoorConfig({ ...pair, apps: [{ ...first!, backends: { blue: '192.168.150.200:80' } }] });
    expect(config).toContain('    server blue 192.168.150.200:80\n');
    expect(config).not.toContain('server green');
  });

  it('names an instance no lab can have (lab names are DNS labels)', () => {
    expect(frontDoorInstance('lab1')).toBe('lab1_front-door');
  });
});

describe('front door ports', () => {
  it('takes the lowest ports from 18080 that are neither taken nor listening', () => {
    expect(allocateFrontDoorPorts(3, new Set([18080, 18082]))).toEqual([18081, 18083, 18084]);
    expect(allocateFrontDoorPorts(0, new Set())).toEqual([]);
  });

  it('reads the listening ports from ss -Htln', () => {
    const ss = [
      'LISTEN 0      4096         0.0.0.0:16443      0.0.0.0:*',
      'LISTEN 0      128             [::]:22            [::]:*',
      'LISTEN 0      4096   127.0.0.53%lo:53         0.0.0.0:*',
      '',
    ].join('\n');
    expect([...listeningPorts(ss)].sort()).toEqual([16443, 22, 53]);
  });
});

describe('switch problems', () => {
  it('refuses a side without every app or whose lab was deleted, and names them', () => {
    expect(switchProblem(pair, 'green')).toBeUndefined();
    expect(switchProblem({ ...pair, deleted: ['green'] }, 'green')).toBe(
      'Lab lab1-green (green) was deleted; the front door can only serve the other lab.',
    );
    const [first, second] = pair.apps;
    expect(switchProblem({ ...pair, apps: [first!, { ...second!, backends: { blue: '192.168.150.201:443' } }] }, 'green')).toBe(
      'These apps have no address in lab1-green yet: shop/web. Prepare the pair again once they have one.',
    );
    expect(switchProblem({ ...pair, apps: [] }, 'blue')).toMatch(/^The front door has no apps yet/);
  });
});
