/**
 * `npm run admin -- COMMAND`: the owner's tool for their counts (`dispatch.ts`; each command in
 * `commands/`). Uses the caller's own AWS credentials, never an HTTP endpoint: no admin secret
 * exists to leak.
 */
import { run } from './dispatch.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  interactive: process.stderr.isTTY === true,
  env: process.env,
});
