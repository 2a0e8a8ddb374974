import type { ReactNode } from 'react';
import { Box, Typography } from '@mui/material';
import { Show, useRecordContext } from 'react-admin';
import { Markdown } from './markdown';
import { Tags } from './tags';
import type { Runbook } from './types';

const RunbookTitle = () => {
  const record = useRecordContext<Runbook>();
  return <span>{record ? `Runbook: ${record.title}` : 'Runbook'}</span>;
};

const Meta = ({ label, children }: { label: string; children: ReactNode }) => (
  <Box sx={{ display: 'flex', gap: 1, alignItems: 'center' }}>
    <Typography variant="caption" color="text.secondary" sx={{ minWidth: 64 }}>
      {label}
    </Typography>
    {children}
  </Box>
);

// Typography for the rendered markdown without pulling in a prose stylesheet.
export const markdownSx = {
  maxWidth: 860,
  lineHeight: 1.6,
  '& h1': { typography: 'h5', mt: 3, mb: 1 },
  '& h2': { typography: 'h6', mt: 3, mb: 1 },
  '& h3': { typography: 'subtitle1', fontWeight: 600, mt: 2, mb: 1 },
  '& p, & ul, & ol': { typography: 'body2', my: 1 },
  '& li': { my: 0.5 },
  '& code': { fontFamily: 'monospace', fontSize: '0.85em', bgcolor: 'action.hover', px: 0.5, borderRadius: 0.5 },
  '& pre': { bgcolor: 'action.hover', p: 1.5, borderRadius: 1, overflowX: 'auto' },
  '& pre code': { bgcolor: 'transparent', p: 0 },
  '& blockquote': { borderLeft: 3, borderColor: 'divider', m: 0, pl: 2, color: 'text.secondary' },
  '& a': { color: 'primary.main' },
} as const;

// Most runbooks open with their own "# Title", which the page already shows above the metadata.
export const withoutLeadingTitle = (body: string): string => body.replace(/^\s*#[ \t]+[^\n]*\n?/, '');

const RunbookBody = () => {
  const record = useRecordContext<Runbook>();
  if (!record) return null;
  const body = withoutLeadingTitle(record.body ?? '');
  return (
    <Box sx={{ p: 2, display: 'grid', gap: 1 }}>
      <Typography variant="h5" component="h1">
        {record.title}
      </Typography>
      <Meta label="Services"><Tags values={record.services} /></Meta>
      <Meta label="Alerts"><Tags values={record.alerts} /></Meta>
      <Meta label="File"><Typography variant="body2" component="code">{record.path}</Typography></Meta>
      <Box sx={markdownSx} className="runbook-body">
        {body.trim() ? (
          <Markdown>{body}</Markdown>
        ) : (
          <Typography variant="body2" color="text.secondary">
            This runbook is empty.
          </Typography>
        )}
      </Box>
    </Box>
  );
};

export const RunbookShow = () => (
  <Show<Runbook> title={<RunbookTitle />}>
    <RunbookBody />
  </Show>
);
