import AddIcon from '@mui/icons-material/Add';
import DeleteIcon from '@mui/icons-material/Delete';
import { Box, Button, Card, CardContent, IconButton, MenuItem, Stack, TextField, Typography } from '@mui/material';
import { useCallback, useEffect, useState } from 'react';
import { useDataProvider, useNotify, type Identifier } from 'react-admin';
import { errorMessage, type HeadroomDataProvider } from '../data-provider';
import { CONTACT_KIND_CHOICES, type ContactKind, type ContactMethod, type NotificationRules, type RuleLine } from './types';

const kindName = (kind: ContactKind) => CONTACT_KIND_CHOICES.find((c) => c.id === kind)?.name ?? kind;

/** "SMS +1415…" for a rule's method menu. */
const methodName = (m: ContactMethod) => `${kindName(m.kind)}: ${m.address}${m.label ? ` (${m.label})` : ''}`;

const URGENCY_TITLES = {
  high: 'High urgency (critical and error pages)',
  low: 'Low urgency (warning and info pages)',
} as const;

/**
 * A person's contact methods and their two rule lists, on their page: "Slack DM at once; SMS
 * after 2 minutes; call after 5 minutes". The person edits their own (an admin anyone's); the
 * server checks both and names the field when something is wrong.
 */
export const NotificationSettings = ({ userId }: { userId: Identifier }) => {
  const dataProvider = useDataProvider<HeadroomDataProvider>();
  const notify = useNotify();
  const [methods, setMethods] = useState<ContactMethod[] | null>(null);
  const [rules, setRules] = useState<NotificationRules | null>(null);
  const [draft, setDraft] = useState<{ kind: ContactKind; address: string; label: string }>({ kind: 'sms', address: '', label: '' });

  const load = useCallback(async () => {
    try {
      const [m, r] = await Promise.all([dataProvider.contactMethods(userId), dataProvider.notificationRules(userId)]);
      setMethods(m.data);
      setRules(r.data);
    } catch (err) {
      notify(errorMessage(err), { type: 'error' });
    }
  }, [dataProvider, notify, userId]);

  useEffect(() => {
    void load();
  }, [load]);

  const add = async () => {
    try {
      await dataProvider.addContactMethod(userId, draft);
      setDraft({ ...draft, address: '', label: '' });
      notify('Contact method added', { type: 'info' });
      await load();
    } catch (err) {
      notify(errorMessage(err), { type: 'error' });
    }
  };

  const remove = async (id: number) => {
    try {
      await dataProvider.deleteContactMethod(userId, id);
      await load();
    } catch (err) {
      notify(errorMessage(err), { type: 'error' });
    }
  };

  const save = async () => {
    if (!rules) return;
    try {
      setRules((await dataProvider.saveNotificationRules(userId, rules)).data);
      notify('Notification rules saved', { type: 'info' });
    } catch (err) {
      notify(errorMessage(err), { type: 'error' });
    }
  };

  if (!methods || !rules) return null;
  const setLines = (urgency: keyof NotificationRules, lines: RuleLine[]) => setRules({ ...rules, [urgency]: lines });

  return (
    <Stack spacing={2} sx={{ mt: 2 }}>
      <Card variant="outlined" aria-label="Contact methods">
        <CardContent>
          <Typography variant="h6">Contact methods</Typography>
          <Typography variant="body2" color="text.secondary" gutterBottom>
            Besides the Slack DM. SMS and calls carry a code: reply with it to acknowledge.
          </Typography>
          {methods.length === 0 && <Typography variant="body2">None yet: pages reach this person in Slack only.</Typography>}
          {methods.map((m) => (
            <Stack key={m.id} direction="row" spacing={1} sx={{ alignItems: 'center' }} data-testid="contact-method">
              <Typography variant="body2">{methodName(m)}</Typography>
              <IconButton aria-label={`Remove ${methodName(m)}`} size="small" onClick={() => void remove(m.id)}>
                <DeleteIcon fontSize="small" />
              </IconButton>
            </Stack>
          ))}
          <Stack direction="row" spacing={1} sx={{ mt: 2, alignItems: 'center' }}>
            <TextField select size="small" label="Kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.target.value as ContactKind })} sx={{ minWidth: 150 }}>
              {CONTACT_KIND_CHOICES.map((c) => (
                <MenuItem key={c.id} value={c.id}>{c.name}</MenuItem>
              ))}
            </TextField>
            <TextField size="small" label="Address" name="address" placeholder={CONTACT_KIND_CHOICES.find((c) => c.id === draft.kind)?.placeholder} value={draft.address} onChange={(e) => setDraft({ ...draft, address: e.target.value })} />
            <TextField size="small" label="Label" name="label" value={draft.label} onChange={(e) => setDraft({ ...draft, label: e.target.value })} />
            <Button variant="outlined" startIcon={<AddIcon />} onClick={() => void add()} disabled={!draft.address.trim()} sx={{ flexShrink: 0, whiteSpace: 'nowrap' }}>
              Add method
            </Button>
          </Stack>
        </CardContent>
      </Card>
      <Card variant="outlined" aria-label="Notification rules">
        <CardContent>
          <Typography variant="h6">Notification rules</Typography>
          <Typography variant="body2" color="text.secondary" gutterBottom>
            When this person is paged, each step goes out after its delay unless the incident was acknowledged by then. No steps: a Slack DM at once.
          </Typography>
          {(['high', 'low'] as const).map((urgency) => (
            <Box key={urgency} sx={{ mt: 2 }} aria-label={URGENCY_TITLES[urgency]} role="group">
              <Typography variant="subtitle2">{URGENCY_TITLES[urgency]}</Typography>
              {rules[urgency].map((line, i) => (
                <Stack key={i} direction="row" spacing={1} sx={{ mt: 1, alignItems: 'center' }} data-testid={`rule-${urgency}`}>
                  <TextField select size="small" label="Notify by" value={String(line.method)} sx={{ minWidth: 280 }}
                    onChange={(e) => setLines(urgency, rules[urgency].map((l, j) => (j === i ? { ...l, method: e.target.value === 'slack' ? 'slack' : Number(e.target.value) } : l)))}>
                    <MenuItem value="slack">Slack DM</MenuItem>
                    {methods.map((m) => (
                      <MenuItem key={m.id} value={String(m.id)}>{methodName(m)}</MenuItem>
                    ))}
                  </TextField>
                  <TextField size="small" type="number" label="After (minutes)" value={line.delaySeconds / 60} slotProps={{ htmlInput: { min: 0, max: 1440, step: 1 } }} sx={{ width: 140 }}
                    onChange={(e) => setLines(urgency, rules[urgency].map((l, j) => (j === i ? { ...l, delaySeconds: Math.max(0, Math.round(Number(e.target.value) * 60)) } : l)))} />
                  <IconButton aria-label="Remove step" size="small" onClick={() => setLines(urgency, rules[urgency].filter((_, j) => j !== i))}>
                    <DeleteIcon fontSize="small" />
                  </IconButton>
                </Stack>
              ))}
              <Button size="small" startIcon={<AddIcon />} sx={{ mt: 1 }} onClick={() => setLines(urgency, [...rules[urgency], { method: rules[urgency].length === 0 ? 'slack' : (methods[0]?.id ?? 'slack'), delaySeconds: 0 }])}>
                Add a step
              </Button>
            </Box>
          ))}
          <Box sx={{ mt: 2 }}>
            <Button variant="contained" onClick={() => void save()}>
              Save rules
            </Button>
          </Box>
        </CardContent>
      </Card>
    </Stack>
  );
};
