import { loadConfig, parseIntegrationKeys } from './config';

describe('HEADROOM_INTEGRATION_KEYS', () => {
  it('reads kind:name:key entries separated by commas or whitespace', () => {
    expect(parseIntegrationKeys('alertmanager:prod-am:0123456789abcdef, pagerduty:grafana:abc:def:0123456789\n')).toEqual([
      { kind: 'alertmanager', name: 'prod-am', key: '0123456789abcdef' },
      { kind: 'pagerduty', name: 'grafana', key: 'abc:def:0123456789' },
    ]);
  });

  it('names the bad entry and the reason, as a configuration error', () => {
    expect(() => parseIntegrationKeys('slack:x:0123456789abcdef')).toThrow(/entry 1 .*kind must be one of alertmanager, pagerduty, otlp, experiments/);
    expect(() => parseIntegrationKeys('otlp:x:short')).toThrow(/at least 16 characters/);
    expect(() => loadConfig({ HEADROOM_INTEGRATION_KEYS: 'otlp::0123456789abcdef' }, '/tmp')).toThrow(/HEADROOM_INTEGRATION_KEYS: entry 1 .*name is empty/);
    expect(loadConfig({}, '/tmp').integrationKeys).toEqual([]);
  });
});
