import { runCli } from './cli';
import { processEnv } from './config/config';

runCli(process.argv.slice(2), processEnv()).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`headroom: ${String(err)}\n`);
    process.exit(1);
  },
);
