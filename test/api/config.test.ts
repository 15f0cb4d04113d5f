import { loadConfig } from '../../src/config.js';

describe('configuration', () => {
  it('defaults, then environment, then flags', () => {
    expect(loadConfig([], {})).toEqual({ port: 4000, host: '0.0.0.0', databaseUrl: 'file:./spikelab.db', storeDir: './models-store', backend: 'auto' });
    const env = { PORT: '5000', HOST: '127.0.0.1', DATABASE_URL: 'file:/tmp/a.db', SPIKELAB_STORE: '/tmp/s', SPIKELAB_BACKEND: 'wasm' };
    expect(loadConfig([], env)).toEqual({ port: 5000, host: '127.0.0.1', databaseUrl: 'file:/tmp/a.db', storeDir: '/tmp/s', backend: 'wasm' });
    expect(loadConfig(['--port', '6000', '--backend', 'cpu', '--store', '/x', '--database-url', 'file:/b.db', '--host', '::1'], env)).toEqual({
      port: 6000,
      host: '::1',
      databaseUrl: 'file:/b.db',
      storeDir: '/x',
      backend: 'cpu',
    });
  });

  it('reads the data roots from SPIKELAB_DATA_ROOTS or --data-roots (absent: the defaults apply)', () => {
    expect(loadConfig([], {}).dataRoots).toBeUndefined();
    expect(loadConfig([], { SPIKELAB_DATA_ROOTS: '/data:/srv/sets' }).dataRoots).toEqual(['/data', '/srv/sets']);
    expect(loadConfig(['--data-roots', '/x'], { SPIKELAB_DATA_ROOTS: '/data' }).dataRoots).toEqual(['/x']);
    expect(() => loadConfig([], { SPIKELAB_DATA_ROOTS: 'relative' })).toThrow(/dataRoots.*absolute/);
  });

  it('rejects bad values with the name of the setting', () => {
    expect(() => loadConfig(['--port', 'http'], {})).toThrow(/port/);
    expect(() => loadConfig([], { SPIKELAB_BACKEND: 'cuda' })).toThrow(/backend/);
    expect(() => loadConfig(['--nope'], {})).toThrow(/nope/);
  });
});
