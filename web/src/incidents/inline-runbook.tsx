import { Box, Typography } from '@mui/material';
import { useGetOne } from 'react-admin';
import { Markdown } from '../runbooks/markdown';
import { markdownSx, withoutLeadingTitle } from '../runbooks/runbook-show';
import type { Runbook } from '../runbooks/types';

/** The incident's runbook, rendered where the responder is already looking. */
export const InlineRunbook = ({ id }: { id: string }) => {
  const { data, isPending, error } = useGetOne<Runbook>('runbooks', { id });
  if (isPending) return <Typography variant="body2" color="text.secondary">Loading the runbook…</Typography>;
  if (error || !data) return <Typography variant="body2" color="error">The runbook {id} could not be loaded.</Typography>;
  return (
    <Box sx={markdownSx} aria-label="Runbook">
      <Markdown>{withoutLeadingTitle(data.body ?? '')}</Markdown>
    </Box>
  );
};
