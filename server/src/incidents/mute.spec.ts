import { parseMatcher } from '../rules/label-matcher';
import { muteReason, NO_MUTES, type ActiveMutes } from './mute';

describe('muteReason', () => {
  const mutes: ActiveMutes = {
    muters: [
      { kind: 'maintenance', id: 7, matchers: [], service: 'feature-store', comment: 'reindex', createdBy: 'bob' },
      { kind: 'silence', id: 3, matchers: [parseMatcher('alertname="RankerHighErrorRate"'), parseMatcher('instance=~"ranker-[01].*"')], service: null, comment: 'known noisy', createdBy: 'alice' },
    ],
  };

  it('mutes an alert every matcher of a silence matches, naming the silence', () => {
    const reason = muteReason({ alertname: 'RankerHighErrorRate', instance: 'ranker-0:9090' }, 'now-playing-ranker', mutes);
    expect(reason).toEqual({ kind: 'silence', id: 3, text: 'silence #3 {alertname="RankerHighErrorRate", instance=~"ranker-[01].*"} (alice: known noisy)' });
    expect(muteReason({ alertname: 'RankerHighErrorRate', instance: 'ranker-2:9090' }, 'now-playing-ranker', mutes)).toBeNull();
  });

  it('mutes every alert of a service under maintenance', () => {
    expect(muteReason({ alertname: 'Anything' }, 'feature-store', mutes)).toMatchObject({ kind: 'maintenance', id: 7 });
    expect(muteReason({ alertname: 'Anything' }, 'model-serving', mutes)).toBeNull();
  });

  it('names the maintenance window when a silence matches too, as windows come first', () => {
    const both: ActiveMutes = { muters: [mutes.muters[0], { ...mutes.muters[1], id: 2, matchers: [parseMatcher('alertname="Anything"')] }] };
    expect(muteReason({ alertname: 'Anything' }, 'feature-store', both)).toEqual({ kind: 'maintenance', id: 7, text: 'maintenance window #7 on feature-store (bob: reindex)' });
    expect(muteReason({ alertname: 'Anything' }, 'model-serving', both)).toMatchObject({ kind: 'silence', id: 2 });
  });

  it('mutes nothing without silences or windows', () => {
    expect(muteReason({ alertname: 'RankerHighErrorRate' }, 'x', NO_MUTES)).toBeNull();
  });
});
